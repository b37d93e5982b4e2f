-- The places unit $1 has taken: its CONFIRMED and ACTIVE placements.
SELECT count(*) AS taken FROM placements WHERE unit_id = $1 AND state IN ('CONFIRMED', 'ACTIVE')
