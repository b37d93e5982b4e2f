-- A learner's progress: per enrolled part that is not archived (course order) each published
-- module (in order; one row with NULL module for a part without any), the attempts started,
-- whether one passed, the best score, the first pass (µs) and the current quiz (for its
-- attempt limit).
SELECT p.part_id, p.title AS part_title, m.module_id, m.title AS module_title,
       count(a.attempt_id)::integer AS attempts_used,
       coalesce(bool_or(a.passed), false) AS passed,
       coalesce(max(a.score_percent), 0)::integer AS best_score_percent,
       (extract(epoch FROM min(a.submit_time) FILTER (WHERE a.passed)) * 1000000)::bigint
         AS pass_micros,
       q.quiz
  FROM learner_parts lp
  JOIN parts p ON p.part_id = lp.part_id AND p.archive_time IS NULL
  LEFT JOIN modules m ON m.part_id = p.part_id AND m.state = 'PUBLISHED'
  LEFT JOIN quiz_versions q
    ON q.part_id = m.part_id AND q.module_id = m.module_id AND q.version = m.quiz_version
  LEFT JOIN attempts a
    ON a.learner_id = lp.learner_id AND a.part_id = m.part_id AND a.module_id = m.module_id
 WHERE lp.learner_id = $1
 GROUP BY p.part_id, p.title, p.position, m.module_id, m.title, m.position, q.quiz
 ORDER BY p.position, m.position
