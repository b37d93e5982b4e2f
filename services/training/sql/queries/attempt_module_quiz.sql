-- What StartAttempt needs of a module: whether it is published, its current quiz version and
-- that quiz (NULL without one).
SELECT m.state = 'PUBLISHED' AS published, m.quiz_version, q.quiz
  FROM modules m
  LEFT JOIN quiz_versions q
    ON q.part_id = m.part_id AND q.module_id = m.module_id AND q.version = m.quiz_version
 WHERE m.part_id = $1 AND m.module_id = $2
