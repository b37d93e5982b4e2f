-- Learners of län $1 by enrolment time and id, after the key ($3 µs, $4) when $2 (else from
-- the start), at most $5. The bound is always applied, so that even a generic plan walks
-- learners_lan_enrol_idx from the key instead of filtering the county from its start.
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
   AND (l.enrol_time, l.learner_id)
       > (CASE WHEN $2::boolean THEN timestamptz 'epoch' + $3::bigint * interval '1 microsecond'
               ELSE timestamptz '-infinity' END,
          $4::text)
 ORDER BY l.enrol_time, l.learner_id
 LIMIT $5::integer
