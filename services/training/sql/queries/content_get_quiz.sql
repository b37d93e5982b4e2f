-- The current quiz of a module: version, serialized Quiz, when that version was written.
SELECT q.version, q.quiz, (extract(epoch FROM q.create_time) * 1000000)::bigint AS create_micros
  FROM modules m
  JOIN quiz_versions q
    ON q.part_id = m.part_id AND q.module_id = m.module_id AND q.version = m.quiz_version
 WHERE m.part_id = $1 AND m.module_id = $2
