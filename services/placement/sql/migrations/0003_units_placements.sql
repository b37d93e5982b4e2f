-- The kommuner's placement units with their capacity, and the children's placements in them.

CREATE TABLE units (
  unit_id        bigserial   PRIMARY KEY,
  kommunkod      text        NOT NULL,
  lanskod        text        NOT NULL,
  display_name   text        NOT NULL,
  type           text        NOT NULL,
  places         integer     NOT NULL CHECK (places >= 1),
  min_age        integer     NOT NULL,
  max_age        integer     NOT NULL,
  sexes          text[]      NOT NULL,
  languages      text[]      NOT NULL,
  special_reason text        NOT NULL,
  revision       bigint      NOT NULL DEFAULT 1,
  create_time    timestamptz NOT NULL,
  update_time    timestamptz NOT NULL,
  CHECK (min_age <= max_age)
);
CREATE INDEX units_kommunkod_idx ON units (kommunkod, unit_id);
CREATE INDEX units_lanskod_idx ON units (lanskod, unit_id);

CREATE TABLE placements (
  placement_id            bigserial   PRIMARY KEY,
  child_id                bigint      NOT NULL REFERENCES children (child_id),
  unit_id                 bigint      NOT NULL REFERENCES units (unit_id),
  state                   text        NOT NULL
                          CHECK (state IN ('PROPOSED', 'CONFIRMED', 'ACTIVE', 'ENDED')),
  sibling_override_reason text        NOT NULL,
  end_reason              text        NOT NULL DEFAULT '',
  propose_time            timestamptz NOT NULL,
  confirm_time            timestamptz,
  start_time              timestamptz,
  end_time                timestamptz,
  revision                bigint      NOT NULL DEFAULT 1
);
CREATE INDEX placements_child_idx ON placements (child_id, placement_id);
-- The places a unit has taken are counted under its row lock (see placement_count_taken.sql).
CREATE INDEX placements_unit_taken_idx ON placements (unit_id)
  WHERE state IN ('CONFIRMED', 'ACTIVE');
-- A child has at most one open placement.
CREATE UNIQUE INDEX placements_one_open_per_child ON placements (child_id)
  WHERE state <> 'ENDED';
