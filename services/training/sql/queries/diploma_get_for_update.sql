-- One diploma of a learner as diploma_get.sql, locked for a state change (diploma_row reads
-- only diplomas).
SELECT * FROM diploma_row WHERE learner_id = $1 AND code = $2 FOR UPDATE
