-- A learner's attempts at a module: how many were started, whether one passed, and when the
-- latest failed one was submitted (µs; NULL if none).
SELECT count(*)::integer AS attempts_used,
       coalesce(bool_or(passed), false) AS passed,
       (extract(epoch FROM max(submit_time) FILTER (WHERE state = 'SUBMITTED' AND NOT passed))
          * 1000000)::bigint AS last_failed_submit_micros
  FROM attempts
 WHERE learner_id = $1 AND part_id = $2 AND module_id = $3
