-- What a learner already holds, revoked or not: (kind, part id or '').
SELECT kind, coalesce(part_id, '') AS part_id FROM diplomas WHERE learner_id = $1
