-- Whether the officer ($2, token subject) has reviewed application $1 already.
SELECT 1 FROM reviews WHERE application_id = $1::bigint AND reviewer = $2
