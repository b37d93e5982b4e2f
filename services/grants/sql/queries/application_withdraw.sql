-- DRAFT or SUBMITTED → WITHDRAWN at $3 (µs), with the applicant's reason $4 ('' for none).
UPDATE applications
   SET state = 'WITHDRAWN',
       withdraw_reason = $4::text,
       update_time = timestamptz 'epoch' + $3::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE call_id = $1::bigint AND application_id = $2::bigint
   AND state IN ('DRAFT', 'SUBMITTED')
