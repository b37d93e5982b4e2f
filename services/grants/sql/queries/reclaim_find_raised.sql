-- The id of the application's RAISED reclaim ($1 application), if any (at most one:
-- reclaims_one_raised).
SELECT reclaim_id FROM reclaims WHERE application_id = $1::bigint AND state = 'RAISED'
