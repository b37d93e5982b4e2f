-- The parts a learner is enrolled in.
SELECT part_id FROM learner_parts WHERE learner_id = $1 ORDER BY part_id
