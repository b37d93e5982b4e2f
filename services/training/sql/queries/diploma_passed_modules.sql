-- The modules a learner has passed at least once.
SELECT DISTINCT part_id, module_id FROM attempts WHERE learner_id = $1 AND passed
