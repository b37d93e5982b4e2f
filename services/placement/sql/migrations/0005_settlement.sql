-- Settlement of newly arrived adults (lag 2016:38): each county's quota per year (the county
-- number and its split into kommun numbers), every revision of it as history, and the
-- assignments Migrationsverket reports with their reception and the overdue mark.
CREATE TABLE settlement_quotas (
  lanskod         text        NOT NULL,
  year            integer     NOT NULL,
  county_number   integer     NOT NULL CHECK (county_number >= 0),
  state           text        NOT NULL CHECK (state IN ('COUNTY_NUMBER_SET', 'KOMMUN_NUMBERS_DECIDED')),
  revision        integer     NOT NULL,
  -- The revision of the latest kommun numbers decision; NULL before the first.
  decision_revision integer,
  create_time     timestamptz NOT NULL,
  update_time     timestamptz NOT NULL,
  PRIMARY KEY (lanskod, year)
);

-- Every change of a quota. kommun_numbers is "kommunkod:persons,..." and basis the decision
-- basis as protobuf JSON (SettlementBasis), both only for KOMMUN_NUMBERS revisions.
CREATE TABLE settlement_quota_revisions (
  lanskod        text        NOT NULL,
  year           integer     NOT NULL,
  revision       integer     NOT NULL CHECK (revision >= 1),
  kind           text        NOT NULL CHECK (kind IN ('COUNTY_NUMBER', 'KOMMUN_NUMBERS')),
  county_number  integer     NOT NULL,
  kommun_numbers text        NOT NULL DEFAULT '',
  basis          text        NOT NULL DEFAULT '',
  reason         text        NOT NULL,
  actor          text        NOT NULL,
  create_time    timestamptz NOT NULL,
  PRIMARY KEY (lanskod, year, revision),
  FOREIGN KEY (lanskod, year) REFERENCES settlement_quotas (lanskod, year)
);

-- Assignments (anvisningar). due_date is the last day of reception in time (assignment date
-- + 2 months, clamped to the month's end). overdue_raise_time marks the one
-- SettlementOverdueEvent: set in the transaction that writes the event, only where NULL.
CREATE TABLE settlement_assignments (
  assignment_id       bigserial   PRIMARY KEY,
  household_reference text        NOT NULL,
  lanskod             text        NOT NULL,
  kommunkod           text        NOT NULL,
  persons             integer     NOT NULL CHECK (persons BETWEEN 1 AND 30),
  assignment_date     date        NOT NULL,
  due_date            date        NOT NULL CHECK (due_date > assignment_date),
  reception_date      date        CHECK (reception_date >= assignment_date),
  overdue_raise_time  timestamptz,
  revision            bigint      NOT NULL DEFAULT 1,
  create_time         timestamptz NOT NULL,
  update_time         timestamptz NOT NULL,
  CONSTRAINT settlement_assignments_household_key UNIQUE (household_reference)
);
CREATE INDEX settlement_assignments_county_idx
    ON settlement_assignments (lanskod, kommunkod, assignment_date);
-- What the overdue check scans: unreceived and not yet raised, by due date.
CREATE INDEX settlement_assignments_overdue_idx
    ON settlement_assignments (due_date)
 WHERE reception_date IS NULL AND overdue_raise_time IS NULL;
