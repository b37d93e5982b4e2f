-- A learner's attempts, newest first, before attempt $3 when $2, at most $4.
SELECT attempt_id, learner_id, part_id, module_id, quiz_version, attempt_number, snapshot,
       pass_mark_percent, state,
       (extract(epoch FROM start_time) * 1000000)::bigint,
       (extract(epoch FROM expire_time) * 1000000)::bigint,
       (extract(epoch FROM submit_time) * 1000000)::bigint,
       score_percent, passed, results
  FROM attempts
 WHERE learner_id = $1 AND (NOT $2::boolean OR attempt_id < $3::bigint)
 ORDER BY attempt_id DESC
 LIMIT $4::integer
