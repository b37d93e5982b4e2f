-- Moves placement $1 to state $2 at $3 (µs), stamping the time of that state; $4: the end
-- reason when ENDED, else ''.
UPDATE placements
   SET state = $2,
       confirm_time = CASE WHEN $2 = 'CONFIRMED'
                           THEN timestamptz 'epoch' + $3::bigint * interval '1 microsecond'
                           ELSE confirm_time END,
       start_time = CASE WHEN $2 = 'ACTIVE'
                         THEN timestamptz 'epoch' + $3::bigint * interval '1 microsecond'
                         ELSE start_time END,
       end_time = CASE WHEN $2 = 'ENDED'
                       THEN timestamptz 'epoch' + $3::bigint * interval '1 microsecond'
                       ELSE end_time END,
       end_reason = $4,
       revision = revision + 1
 WHERE placement_id = $1
