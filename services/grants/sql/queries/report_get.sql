-- One report of an application by its name's ids ($1 call, $2 application, $3 report), in the
-- columns of the report_row view (migration 0002), which report_repository.cc ReportFromRow
-- reads by name.
SELECT *
  FROM report_row
 WHERE call_id = $1::bigint AND application_id = $2::bigint AND report_id = $3::bigint
