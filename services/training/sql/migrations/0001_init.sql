-- Training service schema: course content (parts, modules, versioned quizzes), learners and
-- their parts, quiz attempts with the served snapshot, and signed diplomas.
-- Runs with search_path = training (the runtime tables of 0000_runtime already exist).

CREATE TABLE parts (
  part_id      text PRIMARY KEY CHECK (part_id ~ '^[a-z0-9-]{1,40}$'),
  title        text NOT NULL,
  description  text NOT NULL DEFAULT '',
  position     integer NOT NULL CHECK (position > 0),
  create_time  timestamptz NOT NULL DEFAULT now(),
  update_time  timestamptz NOT NULL DEFAULT now(),
  revision     bigint NOT NULL DEFAULT 1,  -- etag source, incremented on every change
  CONSTRAINT parts_position_unique UNIQUE (position) DEFERRABLE INITIALLY IMMEDIATE
);

CREATE TABLE modules (
  part_id       text NOT NULL REFERENCES parts (part_id),
  module_id     text NOT NULL CHECK (module_id ~ '^[a-z0-9-]{1,40}$'),
  title         text NOT NULL,
  description   text NOT NULL DEFAULT '',
  position      integer NOT NULL CHECK (position > 0),
  content       bytea NOT NULL DEFAULT ''::bytea,  -- serialized repeated ContentItem (a Module
                                                   -- message holding only `content`)
  state         text NOT NULL DEFAULT 'DRAFT' CHECK (state IN ('DRAFT', 'PUBLISHED')),
  quiz_version  integer,                           -- current quiz, NULL until one is set
  create_time   timestamptz NOT NULL DEFAULT now(),
  update_time   timestamptz NOT NULL DEFAULT now(),
  revision      bigint NOT NULL DEFAULT 1,
  PRIMARY KEY (part_id, module_id),
  CONSTRAINT modules_position_unique UNIQUE (part_id, position) DEFERRABLE INITIALLY IMMEDIATE
);

-- Every version of a quiz is kept: attempts score against the snapshot they were served, and
-- the version tells which quiz text it came from.
CREATE TABLE quiz_versions (
  part_id      text NOT NULL,
  module_id    text NOT NULL,
  version      integer NOT NULL CHECK (version > 0),
  quiz         bytea NOT NULL,  -- serialized Quiz (with correct options); never sent to learners
  create_time  timestamptz NOT NULL DEFAULT now(),
  created_by   text NOT NULL,
  PRIMARY KEY (part_id, module_id, version),
  FOREIGN KEY (part_id, module_id) REFERENCES modules (part_id, module_id)
);
ALTER TABLE modules ADD CONSTRAINT modules_quiz_version_fk
  FOREIGN KEY (part_id, module_id, quiz_version) REFERENCES quiz_versions (part_id, module_id, version)
  DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE learners (
  learner_id         text PRIMARY KEY,  -- the learner token's subject
  display_name       text NOT NULL,
  email              text NOT NULL,
  organisation_type  text NOT NULL,     -- OrganisationType enum name
  organisation_name  text NOT NULL,
  kommunkod          char(4) NOT NULL,
  lanskod            char(2) NOT NULL,  -- derived from kommunkod, for county-scoped statistics
  enrol_time         timestamptz NOT NULL DEFAULT now(),
  update_time        timestamptz NOT NULL DEFAULT now(),
  revision           bigint NOT NULL DEFAULT 1
);
CREATE INDEX learners_kommun_idx ON learners (kommunkod, enrol_time, learner_id);
CREATE INDEX learners_enrol_idx ON learners (enrol_time, learner_id);

CREATE TABLE learner_parts (
  learner_id  text NOT NULL REFERENCES learners (learner_id),
  part_id     text NOT NULL REFERENCES parts (part_id),
  add_time    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (learner_id, part_id)
);

CREATE TABLE attempts (
  attempt_id         bigserial PRIMARY KEY,
  learner_id         text NOT NULL REFERENCES learners (learner_id),
  part_id            text NOT NULL,
  module_id          text NOT NULL,
  quiz_version       integer NOT NULL,
  attempt_number     integer NOT NULL CHECK (attempt_number > 0),
  snapshot           bytea NOT NULL,   -- drawn questions with shuffled options and correctness
  pass_mark_percent  integer NOT NULL,
  state              text NOT NULL DEFAULT 'IN_PROGRESS'
                       CHECK (state IN ('IN_PROGRESS', 'SUBMITTED', 'EXPIRED')),
  start_time         timestamptz NOT NULL DEFAULT now(),
  expire_time        timestamptz NOT NULL,
  submit_time        timestamptz,
  score_percent      integer,
  passed             boolean,
  results            bytea,            -- serialized per-question results (an Attempt holding
                                       -- only `results`)
  FOREIGN KEY (part_id, module_id, quiz_version)
    REFERENCES quiz_versions (part_id, module_id, version),
  -- Two concurrent starts cannot both take the same number: the attempt limit holds.
  CONSTRAINT attempts_number_unique UNIQUE (learner_id, part_id, module_id, attempt_number)
);
CREATE INDEX attempts_learner_idx ON attempts (learner_id, attempt_id DESC);
CREATE INDEX attempts_module_idx ON attempts (part_id, module_id, submit_time);

CREATE TABLE diplomas (
  code           text PRIMARY KEY CHECK (code ~ '^[0-9A-HJKMNP-TV-Z]{26}$'),
  learner_id     text NOT NULL REFERENCES learners (learner_id),
  kind           text NOT NULL CHECK (kind IN ('COURSE', 'PART')),
  part_id        text REFERENCES parts (part_id),  -- the certified part of a PART certificate
  content        bytea NOT NULL,                   -- serialized DiplomaContent
  signed_text    text NOT NULL,
  signature      bytea NOT NULL,
  key_id         text NOT NULL,
  state          text NOT NULL DEFAULT 'VALID' CHECK (state IN ('VALID', 'REVOKED')),
  revoke_reason  text,
  issue_time     timestamptz NOT NULL DEFAULT now(),
  revoke_time    timestamptz,
  CHECK ((kind = 'COURSE') = (part_id IS NULL))
);
-- Issuing is idempotent: one course diploma per learner, one certificate per learner and part.
CREATE UNIQUE INDEX diplomas_once_idx ON diplomas (learner_id, kind, coalesce(part_id, ''));
CREATE INDEX diplomas_learner_idx ON diplomas (learner_id, issue_time DESC);
