-- The id of the application's REQUESTED amendment ($1 application), if any (at most one:
-- amendments_one_requested).
SELECT amendment_id FROM amendments WHERE application_id = $1::bigint AND state = 'REQUESTED'
