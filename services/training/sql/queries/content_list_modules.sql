-- Modules of part $1 in order after position $3, at most $4; drafts too when $2.
SELECT m.part_id, m.module_id, m.title, m.description, m.position, m.content, m.state,
       m.quiz_version IS NOT NULL,
       (extract(epoch FROM m.create_time) * 1000000)::bigint,
       (extract(epoch FROM m.update_time) * 1000000)::bigint,
       m.revision
  FROM modules m
 WHERE m.part_id = $1 AND ($2::boolean OR m.state = 'PUBLISHED') AND m.position > $3::integer
 ORDER BY m.position
 LIMIT $4::integer
