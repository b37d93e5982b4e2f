-- Grants service schema: programmes, calls, applications with their reviews, decisions,
-- disbursements, reports, reclaims and amendments, and the diarienummer sequences.
-- Runs with search_path = grants (the runtime tables of 0000_runtime already exist).
-- Money is bigint öre; dates of periods are `date`; moments are timestamptz.

CREATE TABLE programmes (
  programme_id      text PRIMARY KEY CHECK (programme_id ~ '^[a-z0-9-]{2,40}$'),
  display_name      text NOT NULL,
  legal_basis       text NOT NULL,
  description       text NOT NULL DEFAULT '',
  eligible_types    text[] NOT NULL,   -- ApplicantType enum names
  required_reports  bytea NOT NULL,    -- serialized Programme holding only required_reports
  create_time       timestamptz NOT NULL DEFAULT now(),
  update_time       timestamptz NOT NULL DEFAULT now(),
  revision          bigint NOT NULL DEFAULT 1
);

CREATE TABLE calls (
  call_id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  programme_id         text NOT NULL REFERENCES programmes (programme_id),
  lanskod              char(2) NOT NULL,
  title                text NOT NULL,
  description          text NOT NULL DEFAULT '',
  open_time            timestamptz NOT NULL,
  close_time           timestamptz NOT NULL,
  budget_ore           bigint NOT NULL CHECK (budget_ore > 0),
  max_per_application_ore bigint NOT NULL CHECK (max_per_application_ore > 0),
  funding_start        date NOT NULL,
  funding_end          date NOT NULL,
  criteria             bytea NOT NULL,  -- serialized Call holding only criteria
  state                text NOT NULL DEFAULT 'DRAFT'
                         CHECK (state IN ('DRAFT', 'OPEN', 'CLOSED', 'ARCHIVED')),
  -- Sum of approved amounts; the CHECK is the last line of defence of the budget rule.
  approved_total_ore   bigint NOT NULL DEFAULT 0,
  create_time          timestamptz NOT NULL DEFAULT now(),
  update_time          timestamptz NOT NULL DEFAULT now(),
  revision             bigint NOT NULL DEFAULT 1,
  CONSTRAINT calls_times_ordered CHECK (open_time < close_time),
  CONSTRAINT calls_funding_ordered CHECK (funding_start <= funding_end),
  CONSTRAINT calls_max_within_budget CHECK (max_per_application_ore <= budget_ore),
  CONSTRAINT calls_approved_within_budget CHECK (approved_total_ore BETWEEN 0 AND budget_ore)
);
CREATE INDEX calls_lanskod_idx ON calls (lanskod, call_id);
CREATE INDEX calls_open_idx ON calls (open_time DESC, call_id DESC);

-- The running number of diarienummer per registry and year: the row lock of the UPDATE
-- serialises concurrent submissions, and the number is taken in the submitting transaction,
-- so committed numbers are unique and a rolled-back submission gives its number back.
CREATE TABLE diarienummer_sequences (
  registry  integer NOT NULL CHECK (registry BETWEEN 0 AND 999),
  year      integer NOT NULL CHECK (year BETWEEN 1000 AND 9999),
  last      bigint NOT NULL CHECK (last >= 0),
  PRIMARY KEY (registry, year)
);

CREATE TABLE applications (
  application_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  call_id              bigint NOT NULL REFERENCES calls (call_id),
  lanskod              char(2) NOT NULL,           -- the call's county, for county scoping
  applicant_kommunkod  char(4),                    -- exactly one of kommunkod / orgnr
  applicant_orgnr      text,                       -- "NNNNNN-NNNN"
  applicant_type       text NOT NULL,              -- ApplicantType enum name
  applicant_name       text NOT NULL,
  project_title        text NOT NULL DEFAULT '',
  description          text NOT NULL DEFAULT '',
  period_start         date,
  period_end           date,
  budget               bytea NOT NULL DEFAULT ''::bytea,  -- serialized BudgetPlan
  requested_ore        bigint NOT NULL DEFAULT 0 CHECK (requested_ore >= 0),
  partners             bytea NOT NULL DEFAULT ''::bytea,  -- serialized Application holding
                                                          -- only partners
  co_applicant_kommuner text[] NOT NULL DEFAULT '{}',
  state                text NOT NULL DEFAULT 'DRAFT'
                         CHECK (state IN ('DRAFT', 'SUBMITTED', 'UNDER_REVIEW', 'DECIDED',
                                          'WITHDRAWN')),
  diarienummer         text,
  submit_time          timestamptz,
  decision_outcome     text CHECK (decision_outcome IN ('APPROVED', 'PARTIALLY_APPROVED',
                                                        'REJECTED')),
  approved_ore         bigint NOT NULL DEFAULT 0 CHECK (approved_ore >= 0),
  conditions           text NOT NULL DEFAULT '',
  decider              text NOT NULL DEFAULT '',
  decide_time          timestamptz,
  paid_ore             bigint NOT NULL DEFAULT 0 CHECK (paid_ore >= 0),
  create_time          timestamptz NOT NULL DEFAULT now(),
  update_time          timestamptz NOT NULL DEFAULT now(),
  revision             bigint NOT NULL DEFAULT 1,
  CONSTRAINT applications_one_applicant
    CHECK ((applicant_kommunkod IS NULL) <> (applicant_orgnr IS NULL)),
  CONSTRAINT applications_diarienummer_unique UNIQUE (diarienummer),
  CONSTRAINT applications_approved_within_requested CHECK (approved_ore <= requested_ore),
  CONSTRAINT applications_paid_within_approved CHECK (paid_ore <= approved_ore),
  CONSTRAINT applications_period_ordered
    CHECK (period_start IS NULL OR period_end IS NULL OR period_start <= period_end)
);
CREATE INDEX applications_call_idx ON applications (call_id, application_id);
CREATE INDEX applications_lanskod_idx ON applications (lanskod, application_id);
CREATE INDEX applications_kommun_idx ON applications (applicant_kommunkod, application_id)
  WHERE applicant_kommunkod IS NOT NULL;
CREATE INDEX applications_orgnr_idx ON applications (applicant_orgnr, application_id)
  WHERE applicant_orgnr IS NOT NULL;

CREATE TABLE reviews (
  review_id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  application_id        bigint NOT NULL REFERENCES applications (application_id),
  reviewer              text NOT NULL,            -- the officer's token subject
  scores                bytea NOT NULL,           -- serialized Review holding only scores
  comment               text NOT NULL DEFAULT '',
  weighted_score_milli  integer NOT NULL CHECK (weighted_score_milli BETWEEN 0 AND 5000),
  create_time           timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT reviews_one_per_officer UNIQUE (application_id, reviewer)
);

CREATE TABLE disbursements (
  disbursement_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  application_id     bigint NOT NULL REFERENCES applications (application_id),
  amount_ore         bigint NOT NULL CHECK (amount_ore > 0),
  scheduled_date     date NOT NULL,
  state              text NOT NULL DEFAULT 'SCHEDULED'
                       CHECK (state IN ('SCHEDULED', 'PAID', 'CANCELLED')),
  payment_reference  text NOT NULL DEFAULT '',
  pay_time           timestamptz,
  create_time        timestamptz NOT NULL DEFAULT now(),
  update_time        timestamptz NOT NULL DEFAULT now(),
  revision           bigint NOT NULL DEFAULT 1
);
CREATE INDEX disbursements_application_idx ON disbursements (application_id, scheduled_date);

CREATE TABLE reports (
  report_id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  application_id     bigint NOT NULL REFERENCES applications (application_id),
  lanskod            char(2) NOT NULL,
  report_type        text NOT NULL CHECK (report_type IN ('INTERIM', 'FINAL', 'FINANCIAL',
                                                          'ACTIVITY')),
  due_date           date NOT NULL,
  state              text NOT NULL DEFAULT 'DUE'
                       CHECK (state IN ('DUE', 'SUBMITTED', 'ACCEPTED', 'RETURNED')),
  used_ore           bigint NOT NULL DEFAULT 0 CHECK (used_ore >= 0),
  activities         text NOT NULL DEFAULT '',
  participants_women integer NOT NULL DEFAULT 0 CHECK (participants_women >= 0),
  participants_men   integer NOT NULL DEFAULT 0 CHECK (participants_men >= 0),
  participants_other integer NOT NULL DEFAULT 0 CHECK (participants_other >= 0),
  outcomes           text NOT NULL DEFAULT '',
  submit_time        timestamptz,
  accepted_ore       bigint NOT NULL DEFAULT 0 CHECK (accepted_ore >= 0),
  review_comment     text NOT NULL DEFAULT '',
  decide_time        timestamptz,
  revision           bigint NOT NULL DEFAULT 1,
  CONSTRAINT reports_one_per_type UNIQUE (application_id, report_type),
  CONSTRAINT reports_accepted_within_used CHECK (accepted_ore <= used_ore)
);
CREATE INDEX reports_application_idx ON reports (application_id, due_date);
CREATE INDEX reports_open_due_idx ON reports (lanskod, due_date, report_id)
  WHERE state IN ('DUE', 'RETURNED');

CREATE TABLE reclaims (
  reclaim_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  application_id     bigint NOT NULL REFERENCES applications (application_id),
  reason             text NOT NULL CHECK (reason IN ('UNUSED_FUNDS', 'REPORT_MISSING')),
  amount_ore         bigint NOT NULL CHECK (amount_ore > 0),
  state              text NOT NULL DEFAULT 'RAISED'
                       CHECK (state IN ('RAISED', 'SETTLED', 'WAIVED')),
  comment            text NOT NULL DEFAULT '',
  settled_ore        bigint NOT NULL DEFAULT 0 CHECK (settled_ore >= 0),
  payment_reference  text NOT NULL DEFAULT '',
  waive_reason       text NOT NULL DEFAULT '',
  raise_time         timestamptz NOT NULL DEFAULT now(),
  close_time         timestamptz,
  revision           bigint NOT NULL DEFAULT 1,
  CONSTRAINT reclaims_settled_within_amount CHECK (settled_ore <= amount_ore)
);
CREATE INDEX reclaims_application_idx ON reclaims (application_id, reclaim_id);
-- At most one open reclaim per application.
CREATE UNIQUE INDEX reclaims_one_raised ON reclaims (application_id) WHERE state = 'RAISED';

CREATE TABLE amendments (
  amendment_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  application_id     bigint NOT NULL REFERENCES applications (application_id),
  state              text NOT NULL DEFAULT 'REQUESTED'
                       CHECK (state IN ('REQUESTED', 'APPROVED', 'REJECTED')),
  reason             text NOT NULL,
  new_period_start   date,                 -- NULL: the period does not change
  new_period_end     date,
  new_budget         bytea,                -- serialized BudgetPlan; NULL: unchanged
  prev_period_start  date,                 -- filled when approved: the history
  prev_period_end    date,
  prev_budget        bytea,
  decision_comment   text NOT NULL DEFAULT '',
  decider            text NOT NULL DEFAULT '',
  create_time        timestamptz NOT NULL DEFAULT now(),
  decide_time        timestamptz,
  revision           bigint NOT NULL DEFAULT 1,
  CONSTRAINT amendments_changes_something
    CHECK (new_period_start IS NOT NULL OR new_budget IS NOT NULL)
);
CREATE INDEX amendments_application_idx ON amendments (application_id, amendment_id);
-- At most one pending amendment per application.
CREATE UNIQUE INDEX amendments_one_requested ON amendments (application_id)
  WHERE state = 'REQUESTED';

-- The audit trail of one application is read by resource-name prefix.
CREATE INDEX audit_log_resource_prefix_idx ON audit_log (resource text_pattern_ops, id);
