-- Parts in course order after position $2, at most $3; module_count counts every module
-- when $1 (county_admin), else the published ones.
SELECT p.part_id, p.title, p.description, p.position,
       (SELECT count(*) FROM modules m
         WHERE m.part_id = p.part_id AND ($1::boolean OR m.state = 'PUBLISHED'))::integer,
       (extract(epoch FROM p.create_time) * 1000000)::bigint,
       (extract(epoch FROM p.update_time) * 1000000)::bigint,
       p.revision
  FROM parts p
 WHERE p.position > $2::integer
 ORDER BY p.position
 LIMIT $3::integer
