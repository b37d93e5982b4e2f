-- A new attempt with its served snapshot; times in µs since the epoch.
INSERT INTO attempts (learner_id, part_id, module_id, quiz_version, attempt_number, snapshot,
                      pass_mark_percent, start_time, expire_time)
VALUES ($1, $2, $3, $4::integer, $5::integer, $6::bytea, $7::integer,
        timestamptz 'epoch' + $8::bigint * interval '1 microsecond',
        timestamptz 'epoch' + $9::bigint * interval '1 microsecond')
RETURNING attempt_id
