-- Records the scored submission of an attempt and returns the attempt as stored, in the
-- columns of the attempt_row view by the same names (a view cannot read the row this statement
-- writes), then passed_before: whether the learner passed the module in another attempt (so
-- that the first pass is announced once). One round trip instead of three.
WITH s AS (
  UPDATE attempts
     SET state = 'SUBMITTED',
         submit_time = timestamptz 'epoch' + $2::bigint * interval '1 microsecond',
         score_percent = $3::integer, passed = $4::boolean, results = $5::bytea
   WHERE attempt_id = $1::bigint
  RETURNING *
)
SELECT s.attempt_id, s.learner_id, s.part_id, s.module_id, s.quiz_version, s.attempt_number,
       s.snapshot, s.pass_mark_percent, s.state,
       (extract(epoch FROM s.start_time) * 1000000)::bigint AS start_micros,
       (extract(epoch FROM s.expire_time) * 1000000)::bigint AS expire_micros,
       (extract(epoch FROM s.submit_time) * 1000000)::bigint AS submit_micros,
       s.score_percent, s.passed, s.results,
       EXISTS (SELECT 1 FROM attempts a
                WHERE a.learner_id = s.learner_id AND a.part_id = s.part_id
                  AND a.module_id = s.module_id AND a.passed AND a.attempt_id <> s.attempt_id)
         AS passed_before
  FROM s
