-- Records the scored submission of an attempt.
UPDATE attempts
   SET state = 'SUBMITTED',
       submit_time = timestamptz 'epoch' + $2::bigint * interval '1 microsecond',
       score_percent = $3::integer, passed = $4::boolean, results = $5::bytea
 WHERE attempt_id = $1::bigint
