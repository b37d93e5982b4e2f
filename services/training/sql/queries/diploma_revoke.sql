-- Revokes a valid diploma. $3: revoke time in microseconds since the epoch.
UPDATE diplomas
SET state = 'REVOKED', revoke_reason = $2,
    revoke_time = timestamptz 'epoch' + $3::bigint * interval '1 microsecond'
WHERE code = $1 AND state = 'VALID'
