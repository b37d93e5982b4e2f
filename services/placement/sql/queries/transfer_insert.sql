-- Registers an AGREED transfer in key ($1, $2) of $5 per mille from kommun $3 to $4 with
-- agreement $6 at $7 (µs); its id.
INSERT INTO share_transfers (lanskod, year, from_kommunkod, to_kommunkod, per_mille, agreement,
                             state, create_time)
VALUES ($1, $2, $3, $4, $5, $6, 'AGREED', timestamptz 'epoch' + $7::bigint * interval '1 microsecond')
RETURNING transfer_id
