-- A learner's diplomas and part certificates, newest first; columns of diploma_row.
SELECT * FROM diploma_row WHERE learner_id = $1 ORDER BY issue_time DESC, code
