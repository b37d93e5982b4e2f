-- A report owed by approved application $1 in county $2: type $3 (ReportType name without
-- prefix), due date $4 (YYYY-MM-DD). One per type (reports_one_per_type).
INSERT INTO reports (application_id, lanskod, report_type, due_date)
VALUES ($1::bigint, $2, $3, $4::date)
ON CONFLICT ON CONSTRAINT reports_one_per_type DO NOTHING
