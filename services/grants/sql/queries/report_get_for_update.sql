-- One report as report_get.sql, row-locked for a transition. Locking through the view locks its
-- application's row too, which the caller already holds (it takes the application's lock
-- first), so the only new lock is the report's.
SELECT *
  FROM report_row
 WHERE call_id = $1::bigint AND application_id = $2::bigint AND report_id = $3::bigint
   FOR UPDATE
