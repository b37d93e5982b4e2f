-- DRAFT → SUBMITTED with the diarienummer $3 at $4 (µs).
UPDATE applications
   SET state = 'SUBMITTED', diarienummer = $3,
       submit_time = timestamptz 'epoch' + $4::bigint * interval '1 microsecond',
       update_time = timestamptz 'epoch' + $4::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE call_id = $1::bigint AND application_id = $2::bigint AND state = 'DRAFT'
