-- What StartAttempt needs, in one round trip: of the module $2/$3 whether it exists
-- (module_found), is published, whether it (or its part) is archived, its current quiz version
-- and that quiz (NULL without one); of learner $1's attempts at it how many were started,
-- whether one passed, and when the latest failed one was submitted (µs; NULL if none).
SELECT m.part_id IS NOT NULL AS module_found,
       m.state = 'PUBLISHED' AS published,
       m.state = 'ARCHIVED' OR p.archive_time IS NOT NULL AS archived,
       m.quiz_version, q.quiz,
       h.attempts_used, h.passed, h.last_failed_submit_micros
  FROM (SELECT count(*)::integer AS attempts_used,
               coalesce(bool_or(passed), false) AS passed,
               (extract(epoch FROM max(submit_time) FILTER (WHERE state = 'SUBMITTED' AND NOT passed))
                  * 1000000)::bigint AS last_failed_submit_micros
          FROM attempts
         WHERE learner_id = $1 AND part_id = $2 AND module_id = $3) h
  LEFT JOIN modules m ON m.part_id = $2 AND m.module_id = $3
  LEFT JOIN parts p ON p.part_id = m.part_id
  LEFT JOIN quiz_versions q
    ON q.part_id = m.part_id AND q.module_id = m.module_id AND q.version = m.quiz_version
