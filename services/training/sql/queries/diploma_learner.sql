-- The learner facts diplomas need: the name printed on them and the län (county scoping).
SELECT display_name, lanskod FROM learners WHERE learner_id = $1
