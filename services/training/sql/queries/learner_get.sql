-- One learner with its parts (ids in course order, comma-separated) and whether they cover
-- every part of the course.
SELECT l.learner_id, l.display_name, l.email, l.organisation_type, l.organisation_name,
       l.kommunkod, l.lanskod,
       (extract(epoch FROM l.enrol_time) * 1000000)::bigint,
       (extract(epoch FROM l.update_time) * 1000000)::bigint,
       l.revision,
       coalesce((SELECT string_agg(lp.part_id, ',' ORDER BY p.position)
                   FROM learner_parts lp JOIN parts p ON p.part_id = lp.part_id
                  WHERE lp.learner_id = l.learner_id), ''),
       NOT EXISTS (SELECT 1 FROM parts p
                    WHERE NOT EXISTS (SELECT 1 FROM learner_parts lp
                                       WHERE lp.learner_id = l.learner_id
                                         AND lp.part_id = p.part_id))
  FROM learners l
 WHERE l.learner_id = $1
