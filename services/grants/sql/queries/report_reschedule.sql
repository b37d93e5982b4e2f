-- Moves a report's due date after its project period changed: $1 report id, $2 due date.
UPDATE reports
   SET due_date = $2::date, revision = revision + 1
 WHERE report_id = $1::bigint
