-- What StartAttempt needs of a module: whether it is published, whether it (or its part) is
-- archived, its current quiz version and that quiz (NULL without one).
SELECT m.state = 'PUBLISHED' AS published,
       m.state = 'ARCHIVED' OR p.archive_time IS NOT NULL AS archived,
       m.quiz_version, q.quiz
  FROM modules m
  JOIN parts p ON p.part_id = m.part_id
  LEFT JOIN quiz_versions q
    ON q.part_id = m.part_id AND q.module_id = m.module_id AND q.version = m.quiz_version
 WHERE m.part_id = $1 AND m.module_id = $2
