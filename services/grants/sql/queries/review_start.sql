-- The first review moves a SUBMITTED application to UNDER_REVIEW (time $2 in µs). Returns a
-- row only when the state changed.
UPDATE applications
   SET state = 'UNDER_REVIEW',
       update_time = timestamptz 'epoch' + $2::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE application_id = $1::bigint AND state = 'SUBMITTED'
RETURNING application_id
