-- A new learner enrolled in the parts $8 (a text array of existing part ids), in one round
-- trip; no row when the id exists. The row has the columns of the learner_row view by the same
-- names (learner_repository.cc ToLearnerRow), computed here because the parts come from the
-- statement's own output: its inserts are not visible to its other parts, nor to the view.
WITH l AS (
  INSERT INTO learners (learner_id, display_name, email, organisation_type, organisation_name,
                        kommunkod, lanskod)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  ON CONFLICT (learner_id) DO NOTHING
  RETURNING learner_id, display_name, email, organisation_type, organisation_name, kommunkod,
            lanskod, enrol_time, update_time, revision
), lp AS (
  INSERT INTO learner_parts (learner_id, part_id)
  SELECT l.learner_id, p.part_id FROM l, unnest($8::text[]) AS p (part_id)
  RETURNING part_id
)
SELECT l.learner_id, l.display_name, l.email, l.organisation_type, l.organisation_name,
       l.kommunkod, l.lanskod, l.enrol_time,
       (extract(epoch FROM l.enrol_time) * 1000000)::bigint AS enrol_micros,
       (extract(epoch FROM l.update_time) * 1000000)::bigint AS update_micros,
       l.revision,
       coalesce((SELECT string_agg(p.part_id, ',' ORDER BY p.position)
                   FROM parts p WHERE p.part_id IN (SELECT part_id FROM lp)), '') AS part_ids_list,
       NOT EXISTS (SELECT 1 FROM parts p
                    WHERE p.archive_time IS NULL AND p.part_id NOT IN (SELECT part_id FROM lp))
         AS whole_course
  FROM l
