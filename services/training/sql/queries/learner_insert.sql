-- A new learner; no row when the id exists.
INSERT INTO learners (learner_id, display_name, email, organisation_type, organisation_name,
                      kommunkod, lanskod)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (learner_id) DO NOTHING
RETURNING learner_id
