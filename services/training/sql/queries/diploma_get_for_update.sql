-- One diploma of a learner, locked for a state change.
SELECT code, learner_id, kind, content, signed_text, signature, key_id, state,
       coalesce(revoke_reason, ''),
       (extract(epoch FROM issue_time) * 1000000)::bigint,
       (extract(epoch FROM revoke_time) * 1000000)::bigint,
       array_to_string(parts, ',')
FROM diplomas
WHERE learner_id = $1 AND code = $2
FOR UPDATE
