-- Records reception date $2 of assignment $1 at $3 (µs).
UPDATE settlement_assignments
   SET reception_date = $2::date, revision = revision + 1,
       update_time = timestamptz 'epoch' + $3::bigint * interval '1 microsecond'
 WHERE assignment_id = $1
