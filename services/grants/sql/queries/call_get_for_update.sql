-- One call ($1 its id) as call_get.sql, row-locked for state and budget changes (call_row reads
-- only calls, so only the call's row is locked); no row when it does not exist.
SELECT * FROM call_row WHERE call_id = $1::bigint FOR UPDATE
