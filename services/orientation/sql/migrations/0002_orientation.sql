-- Offerings of one or several kommuner with their sessions (minutes per theme), participants
-- (identity number only encrypted, found by its keyed hash), enrolments and attendance.

CREATE TABLE offerings (
  offering_id  bigserial   PRIMARY KEY,
  lanskod      text        NOT NULL,
  display_name text        NOT NULL,
  language     text        NOT NULL,
  communicator text        NOT NULL,
  start_date   date        NOT NULL,
  end_date     date        NOT NULL CHECK (end_date >= start_date),
  capacity     integer     NOT NULL CHECK (capacity >= 1),
  revision     bigint      NOT NULL DEFAULT 1,
  create_time  timestamptz NOT NULL,
  update_time  timestamptz NOT NULL
);
CREATE INDEX offerings_lanskod_idx ON offerings (lanskod, offering_id);

-- The kommuner taking part in an offering; each sees it and enrols its own participants.
CREATE TABLE offering_kommuner (
  offering_id bigint NOT NULL REFERENCES offerings,
  kommunkod   text   NOT NULL,
  PRIMARY KEY (offering_id, kommunkod)
);
CREATE INDEX offering_kommuner_kommunkod_idx ON offering_kommuner (kommunkod, offering_id);

CREATE TABLE sessions (
  session_id    bigserial   PRIMARY KEY,
  offering_id   bigint      NOT NULL REFERENCES offerings,
  session_date  date        NOT NULL,
  minutes       integer     NOT NULL CHECK (minutes BETWEEN 1 AND 600),
  state         text        NOT NULL CHECK (state IN ('STATE_SCHEDULED', 'STATE_CANCELLED')),
  cancel_reason text        NOT NULL DEFAULT '',
  revision      bigint      NOT NULL DEFAULT 1,
  create_time   timestamptz NOT NULL
);
CREATE INDEX sessions_offering_idx ON sessions (offering_id, session_date, session_id);
CREATE INDEX sessions_date_idx ON sessions (session_date) WHERE state = 'STATE_SCHEDULED';

-- A session's minutes per theme (Theme enum names); the session's minutes are their sum.
CREATE TABLE session_themes (
  session_id bigint  NOT NULL REFERENCES sessions,
  theme      text    NOT NULL,
  minutes    integer NOT NULL CHECK (minutes >= 1),
  PRIMARY KEY (session_id, theme)
);

-- The personnummer/samordningsnummer is personal data: only encrypted (the suite's
-- PnrProtector, bound to its hash) and as its keyed hash, unique per kommun.
CREATE TABLE participants (
  participant_id          bigserial   PRIMARY KEY,
  kommunkod               text        NOT NULL,
  lanskod                 text        NOT NULL,
  pnr_hash                text        NOT NULL,
  pnr_cipher              text        NOT NULL,
  identity_kind           text        NOT NULL,
  birth_date              date        NOT NULL,
  registered_kommunkod    text        NOT NULL,
  registration_date       date        NOT NULL,
  first_registration_date date        NOT NULL,
  permit_type             text        NOT NULL,
  citizenships            text[]      NOT NULL,
  languages               text[]      NOT NULL,
  revision                bigint      NOT NULL DEFAULT 1,
  create_time             timestamptz NOT NULL,
  CONSTRAINT participants_kommun_pnr_key UNIQUE (kommunkod, pnr_hash)
);
CREATE INDEX participants_kommunkod_idx ON participants (kommunkod, participant_id);

CREATE TABLE enrolments (
  enrolment_id       bigserial   PRIMARY KEY,
  participant_id     bigint      NOT NULL REFERENCES participants,
  offering_id        bigint      NOT NULL REFERENCES offerings,
  kommunkod          text        NOT NULL,
  lanskod            text        NOT NULL,
  enrol_date         date        NOT NULL,
  exception_reason   text        NOT NULL DEFAULT '',
  overridden_reasons text[]      NOT NULL DEFAULT '{}',
  state              text        NOT NULL CHECK (state IN ('STATE_ENROLLED', 'STATE_COMPLETED')),
  -- Kept current by every attendance record (rules/progress.h), read by the follow-up.
  start_date         date,
  completion_date    date,
  revision           bigint      NOT NULL DEFAULT 1,
  create_time        timestamptz NOT NULL,
  update_time        timestamptz NOT NULL,
  CONSTRAINT enrolments_participant_offering_key UNIQUE (participant_id, offering_id),
  CHECK ((state = 'STATE_COMPLETED') = (completion_date IS NOT NULL))
);
CREATE INDEX enrolments_participant_idx ON enrolments (participant_id, enrolment_id);
CREATE INDEX enrolments_offering_idx ON enrolments (offering_id);
CREATE INDEX enrolments_lanskod_idx ON enrolments (lanskod, kommunkod);

CREATE TABLE attendance (
  session_id   bigint      NOT NULL REFERENCES sessions,
  enrolment_id bigint      NOT NULL REFERENCES enrolments,
  status       text        NOT NULL
               CHECK (status IN ('ATTENDANCE_STATUS_PRESENT', 'ATTENDANCE_STATUS_ABSENT',
                                 'ATTENDANCE_STATUS_EXCUSED')),
  recorded_by  text        NOT NULL,
  record_time  timestamptz NOT NULL,
  PRIMARY KEY (session_id, enrolment_id)
);
CREATE INDEX attendance_enrolment_idx ON attendance (enrolment_id);
