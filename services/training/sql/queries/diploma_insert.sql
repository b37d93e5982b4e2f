-- Stores an issued diploma unless the learner already holds one of that kind (and part):
-- diplomas_once_idx makes a concurrent second issue a no-op (no row returned).
-- $1 code, $2 learner_id, $3 kind, $4 part_id or '', $5 content, $6 signed_text, $7 signature,
-- $8 key_id, $9 issue_time (microseconds since the epoch), $10 part ids joined by ','.
INSERT INTO diplomas (code, learner_id, kind, part_id, content, signed_text, signature, key_id,
                      issue_time, parts)
VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6, $7, $8,
        timestamptz 'epoch' + $9::bigint * interval '1 microsecond', string_to_array($10, ','))
ON CONFLICT (learner_id, kind, coalesce(part_id, '')) DO NOTHING
RETURNING code
