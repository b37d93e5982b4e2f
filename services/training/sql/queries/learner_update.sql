-- Replaces a learner's details and bumps the revision.
UPDATE learners
   SET display_name = $2, email = $3, organisation_type = $4, organisation_name = $5,
       kommunkod = $6, lanskod = $7, update_time = now(), revision = revision + 1
 WHERE learner_id = $1
