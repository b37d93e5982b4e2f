-- One attempt of a learner as attempt_get.sql, locked for its submission: concurrent submits
-- queue here and the later ones see it submitted (attempt_row reads only attempts).
SELECT * FROM attempt_row WHERE learner_id = $1 AND attempt_id = $2::bigint FOR UPDATE
