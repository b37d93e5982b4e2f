-- Every report of an application ($1 application) by due date: for reclaims and amendments.
-- Columns of report_row (report_repository.cc ReportFromRow).
SELECT *
  FROM report_row
 WHERE application_id = $1::bigint
 ORDER BY due_date, report_id
