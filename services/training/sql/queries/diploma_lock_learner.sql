-- The learner's name, with the row locked against a concurrent issue for the same learner, so
-- that two submissions completing the last two modules at once cannot both miss the other's
-- pass. NO KEY UPDATE: new attempts (whose foreign key takes KEY SHARE) are not held up.
SELECT display_name, lanskod FROM learners WHERE learner_id = $1 FOR NO KEY UPDATE
