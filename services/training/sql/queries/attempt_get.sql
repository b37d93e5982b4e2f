-- One attempt of a learner ($1 learner, $2 attempt), in the columns of the attempt_row view
-- (migration 0005), which attempt_repository.cc ToAttemptRow reads by name.
SELECT * FROM attempt_row WHERE learner_id = $1 AND attempt_id = $2::bigint
