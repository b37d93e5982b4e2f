-- One amendment as amendment_get.sql, row-locked for the decision. Locking through the view
-- locks its application's row too, which the caller already holds (it takes the application's
-- lock first), so the only new lock is the amendment's.
SELECT *
  FROM amendment_row
 WHERE call_id = $1::bigint AND application_id = $2::bigint AND amendment_id = $3::bigint
   FOR UPDATE
