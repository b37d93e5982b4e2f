-- A page of a county's overdue reports ($1 lanskod; $2 today: due before it; $3 call id, 0 for
-- every call), longest overdue first, starting after the key ($4 due date, $5 report id;
-- '-infinity', 0 for the first page), at most $6 rows. Uses reports_open_due_idx. Columns of
-- report_row (report_repository.cc ReportFromRow).
SELECT *
  FROM report_row
 WHERE lanskod = $1::char(2)
   AND state IN ('DUE', 'RETURNED')
   AND due_date < $2::date
   AND ($3::bigint = 0 OR call_id = $3::bigint)
   AND (due_date, report_id) > ($4::date, $5::bigint)
 ORDER BY due_date, report_id
 LIMIT $6::bigint
