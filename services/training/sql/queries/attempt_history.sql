-- A learner's attempts at a module: how many were started, whether one passed, and when the
-- latest failed one was submitted (µs; NULL if none).
SELECT count(*)::integer,
       coalesce(bool_or(passed), false),
       (extract(epoch FROM max(submit_time) FILTER (WHERE state = 'SUBMITTED' AND NOT passed))
          * 1000000)::bigint
  FROM attempts
 WHERE learner_id = $1 AND part_id = $2 AND module_id = $3
