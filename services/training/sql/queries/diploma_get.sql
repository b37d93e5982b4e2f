-- One diploma of a learner ($1 learner, $2 code; a code of another learner is not found), in
-- the columns of the diploma_row view (migration 0005), which diploma_repository.cc FromRow
-- reads by name.
SELECT * FROM diploma_row WHERE learner_id = $1 AND code = $2
