-- Allocation keys per county and year, unaccompanied children with their assignment, and the
-- access log of reads of a child's record.

CREATE TABLE allocation_keys (
  lanskod                text        NOT NULL,
  year                   integer     NOT NULL,
  county_total_per_mille integer     NOT NULL CHECK (county_total_per_mille BETWEEN 1 AND 1000),
  base_date              date        NOT NULL,
  create_time            timestamptz NOT NULL,
  PRIMARY KEY (lanskod, year)
);

CREATE TABLE allocation_key_shares (
  lanskod   text    NOT NULL,
  year      integer NOT NULL,
  kommunkod text    NOT NULL,
  per_mille integer NOT NULL CHECK (per_mille >= 1),
  PRIMARY KEY (lanskod, year, kommunkod),
  FOREIGN KEY (lanskod, year) REFERENCES allocation_keys (lanskod, year)
);

-- The dossier number is personal data: stored only encrypted (the suite's PnrProtector) and
-- found again by its keyed hash.
CREATE TABLE children (
  child_id              bigserial   PRIMARY KEY,
  dossier_hash          text        NOT NULL,
  dossier_cipher        text        NOT NULL,
  birth_date            date,
  assessed_age          integer,
  sex                   text        NOT NULL,
  languages             text[]      NOT NULL,
  needs                 text        NOT NULL,
  sibling_group         text        NOT NULL,
  strong_link_kommunkod text        NOT NULL,
  arrival_kommunkod     text        NOT NULL,
  arrival_date          date        NOT NULL,
  lanskod               text        NOT NULL,
  state                 text        NOT NULL CHECK (state IN ('WAITING', 'ASSIGNED')),
  -- The current assignment (NULL while WAITING); explanation: a serialized
  -- AssignmentExplanation.
  kommunkod             text,
  assignment_basis      text,
  assign_time           timestamptz,
  explanation           bytea,
  revision              bigint      NOT NULL DEFAULT 1,
  create_time           timestamptz NOT NULL,
  update_time           timestamptz NOT NULL,
  CONSTRAINT children_dossier_hash_key UNIQUE (dossier_hash),
  CHECK ((birth_date IS NULL) <> (assessed_age IS NULL)),
  CHECK ((state = 'ASSIGNED') = (kommunkod IS NOT NULL))
);
CREATE INDEX children_lanskod_idx ON children (lanskod, child_id);
CREATE INDEX children_kommunkod_idx ON children (kommunkod, child_id);
CREATE INDEX children_sibling_group_idx ON children (sibling_group, child_id)
  WHERE sibling_group <> '';
-- The standings of an allocation key count the county's assignments since its base date.
CREATE INDEX children_standing_idx ON children (lanskod, arrival_date) WHERE state = 'ASSIGNED';

CREATE TABLE child_reads (
  read_id   bigserial   PRIMARY KEY,
  child_id  bigint      NOT NULL REFERENCES children (child_id),
  actor     text        NOT NULL,
  role      text        NOT NULL,
  purpose   text        NOT NULL,
  read_time timestamptz NOT NULL
);
CREATE INDEX child_reads_child_idx ON child_reads (child_id, read_id);
