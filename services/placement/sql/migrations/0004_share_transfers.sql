-- Transfers of allocation-key share between kommuner of a county: agreed, then confirmed (the
-- shares in allocation_key_shares move) or refused by the county board. Kept as the key's
-- history.
CREATE TABLE share_transfers (
  transfer_id    bigserial   PRIMARY KEY,
  lanskod        text        NOT NULL,
  year           integer     NOT NULL,
  from_kommunkod text        NOT NULL,
  to_kommunkod   text        NOT NULL,
  per_mille      integer     NOT NULL CHECK (per_mille >= 1),
  agreement      text        NOT NULL,
  state          text        NOT NULL CHECK (state IN ('AGREED', 'CONFIRMED', 'REFUSED')),
  create_time    timestamptz NOT NULL,
  decide_time    timestamptz,
  FOREIGN KEY (lanskod, year) REFERENCES allocation_keys (lanskod, year),
  CHECK (from_kommunkod <> to_kommunkod)
);
CREATE INDEX share_transfers_key_idx ON share_transfers (lanskod, year, transfer_id);
