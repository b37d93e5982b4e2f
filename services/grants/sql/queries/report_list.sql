-- A page of an application's reports by due date ($1 application), starting after the key
-- ($2 due date, $3 report id; '-infinity', 0 for the first page), at most $4 rows, in the
-- columns of report_row (report_repository.cc ReportFromRow).
SELECT *
  FROM report_row
 WHERE application_id = $1::bigint
   AND (due_date, report_id) > ($2::date, $3::bigint)
 ORDER BY due_date, report_id
 LIMIT $4::bigint
