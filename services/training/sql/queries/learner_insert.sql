-- A new learner enrolled in the parts $8 (a text array of existing part ids), in one round
-- trip; no row when the id exists. The row has learner_get's columns. The parts come from the
-- statement's own output: its inserts are not visible to its other parts.
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
       l.kommunkod, l.lanskod,
       (extract(epoch FROM l.enrol_time) * 1000000)::bigint,
       (extract(epoch FROM l.update_time) * 1000000)::bigint,
       l.revision,
       coalesce((SELECT string_agg(p.part_id, ',' ORDER BY p.position)
                   FROM parts p WHERE p.part_id IN (SELECT part_id FROM lp)), ''),
       NOT EXISTS (SELECT 1 FROM parts p WHERE p.part_id NOT IN (SELECT part_id FROM lp))
  FROM l
