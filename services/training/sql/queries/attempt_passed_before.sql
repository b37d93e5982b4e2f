-- Whether the learner passed the module in another attempt than $4.
SELECT EXISTS (SELECT 1 FROM attempts
                WHERE learner_id = $1 AND part_id = $2 AND module_id = $3 AND passed
                  AND attempt_id <> $4::bigint)
