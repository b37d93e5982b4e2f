-- Moves a call to the stored state $2 ('OPEN', 'CLOSED', 'ARCHIVED'); $3 now (µs). Opening
-- fixes the eligibility rules the call applies: its programme's at that moment.
UPDATE calls
   SET state = $2,
       eligible_types = CASE WHEN $2 = 'OPEN'
                             THEN (SELECT p.eligible_types FROM programmes p
                                    WHERE p.programme_id = calls.programme_id)
                             ELSE eligible_types END,
       update_time = timestamptz 'epoch' + $3::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE call_id = $1::bigint
