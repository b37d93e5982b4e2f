-- Replaces what an applicant may change in a DRAFT (parameters as application_insert.sql:
-- $3 applicant name, $4 title, $5 description, $6/$7 period, $8 budget, $9 requested, $10
-- partners, $11 co-applicants; $12 now in µs). A new revision changes the etag.
UPDATE applications
   SET applicant_name = $3, project_title = $4, description = $5,
       period_start = NULLIF($6, '')::date, period_end = NULLIF($7, '')::date,
       budget = $8, requested_ore = $9::bigint, partners = $10,
       co_applicant_kommuner = string_to_array($11, ','),
       update_time = timestamptz 'epoch' + $12::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE call_id = $1::bigint AND application_id = $2::bigint
