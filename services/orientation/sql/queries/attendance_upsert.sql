-- Records enrolment $2's status $3 at session $1 by $4 at $5 (µs), replacing an earlier record.
INSERT INTO attendance (session_id, enrolment_id, status, recorded_by, record_time)
VALUES ($1, $2, $3, $4, timestamptz 'epoch' + $5::bigint * interval '1 microsecond')
ON CONFLICT (session_id, enrolment_id)
DO UPDATE SET status = excluded.status, recorded_by = excluded.recorded_by,
              record_time = excluded.record_time
