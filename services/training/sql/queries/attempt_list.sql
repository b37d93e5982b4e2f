-- A learner's attempts, newest first, before attempt $3 when $2, at most $4; columns of
-- attempt_row (attempt_repository.cc ToAttemptRow).
SELECT *
  FROM attempt_row
 WHERE learner_id = $1 AND (NOT $2::boolean OR attempt_id < $3::bigint)
 ORDER BY attempt_id DESC
 LIMIT $4::integer
