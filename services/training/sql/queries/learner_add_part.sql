-- Enrols a learner in a part (nothing when already enrolled).
INSERT INTO learner_parts (learner_id, part_id) VALUES ($1, $2) ON CONFLICT DO NOTHING
