-- Locks a learner (serialising the learner's enrolment changes and attempt starts): its
-- revision and länskod.
SELECT revision, lanskod FROM learners WHERE learner_id = $1 FOR NO KEY UPDATE
