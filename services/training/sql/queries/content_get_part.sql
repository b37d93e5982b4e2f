-- One part ($2); module_count as in content_list_parts ($1: count drafts too).
SELECT p.part_id, p.title, p.description, p.position,
       (SELECT count(*) FROM modules m
         WHERE m.part_id = p.part_id AND ($1::boolean OR m.state = 'PUBLISHED'))::integer,
       (extract(epoch FROM p.create_time) * 1000000)::bigint,
       (extract(epoch FROM p.update_time) * 1000000)::bigint,
       p.revision
  FROM parts p
 WHERE p.part_id = $2
