-- Raises a reclaim: $1 application, $2 reason, $3 amount_ore, $4 comment, $5 raise time µs.
-- Returns its id.
INSERT INTO reclaims (application_id, reason, amount_ore, comment, raise_time)
VALUES ($1::bigint, $2::text, $3::bigint, $4::text,
        timestamptz 'epoch' + $5::bigint * interval '1 microsecond')
RETURNING reclaim_id
