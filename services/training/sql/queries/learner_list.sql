-- Learners of län $1 (and kommun $2 unless empty) by enrolment time and id, after the key
-- ($4 µs, $5) when $3, at most $6.
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
 WHERE l.lanskod = $1
   AND ($2 = '' OR l.kommunkod = $2)
   AND (NOT $3::boolean
        OR (l.enrol_time, l.learner_id)
           > (timestamptz 'epoch' + $4::bigint * interval '1 microsecond', $5))
 ORDER BY l.enrol_time, l.learner_id
 LIMIT $6::integer
