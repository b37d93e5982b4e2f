-- One learner with its parts (ids in course order, comma-separated) and whether they cover
-- every part of the course: the columns of the learner_row view (migration 0005), which
-- learner_repository.cc ToLearnerRow reads by name.
SELECT * FROM learner_row WHERE learner_id = $1
