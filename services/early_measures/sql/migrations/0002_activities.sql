-- Activities of organisations with a TIA grant, their sessions and attendance, and the
-- participants, who are kept as a keyed hash of their LMA number: the number itself is never
-- stored (README, "Participants and their LMA numbers").

CREATE TABLE activities (
  activity_id          bigserial   PRIMARY KEY,
  orgnr                text        NOT NULL,  -- "NNNNNN-NNNN"
  lanskod              text        NOT NULL,
  kommunkod            text        NOT NULL,
  type                 text        NOT NULL
                       CHECK (type IN ('ACTIVITY_TYPE_SWEDISH_LANGUAGE',
                                       'ACTIVITY_TYPE_SOCIETY_AND_LABOUR_MARKET',
                                       'ACTIVITY_TYPE_HEALTH')),
  display_name         text        NOT NULL,
  period_start         date        NOT NULL,
  period_end           date        NOT NULL,
  planned_sessions     integer     NOT NULL CHECK (planned_sessions >= 1),
  planned_hours        integer     NOT NULL CHECK (planned_hours >= 1),
  -- The approved grant decision grants confirmed, and when.
  funding_application  text        NOT NULL,
  funding_diarienummer text        NOT NULL,
  funding_start        date        NOT NULL,
  funding_end          date        NOT NULL,
  funding_check_time   timestamptz NOT NULL,
  revision             bigint      NOT NULL DEFAULT 1,
  create_time          timestamptz NOT NULL,
  update_time          timestamptz NOT NULL,
  CHECK (period_start <= period_end),
  CHECK (funding_start <= period_start AND period_end <= funding_end)
);
CREATE INDEX activities_orgnr_idx ON activities (orgnr, activity_id);
CREATE INDEX activities_lanskod_idx ON activities (lanskod, activity_id);
CREATE INDEX activities_funding_idx ON activities (orgnr, funding_application);

CREATE TABLE participants (
  participant_id bigserial   PRIMARY KEY,
  orgnr          text        NOT NULL,
  -- HMAC-SHA256 of the LMA dossier number (without card serial) under the suite's look-up key.
  lma_key        text        NOT NULL CHECK (lma_key ~ '^[0-9a-f]{64}$'),
  sex            text        NOT NULL CHECK (sex IN ('SEX_FEMALE', 'SEX_MALE', 'SEX_OTHER')),
  birth_year     integer     NOT NULL,
  create_time    timestamptz NOT NULL,
  UNIQUE (orgnr, lma_key)
);

CREATE TABLE sessions (
  session_id          bigserial   PRIMARY KEY,
  activity_id         bigint      NOT NULL REFERENCES activities (activity_id),
  session_date        date        NOT NULL,
  duration_minutes    integer     NOT NULL CHECK (duration_minutes BETWEEN 1 AND 600),
  attendance_recorded boolean     NOT NULL DEFAULT false,
  create_time         timestamptz NOT NULL
);
CREATE INDEX sessions_activity_idx ON sessions (activity_id, session_date, session_id);

CREATE TABLE attendance (
  session_id     bigint NOT NULL REFERENCES sessions (session_id),
  participant_id bigint NOT NULL REFERENCES participants (participant_id),
  PRIMARY KEY (session_id, participant_id)
);
CREATE INDEX attendance_participant_idx ON attendance (participant_id);
