-- Rejects a requested amendment: $1 amendment id, $2 comment, $3 decider, $4 decide time µs.
UPDATE amendments
   SET state = 'REJECTED', decision_comment = $2::text, decider = $3::text,
       decide_time = timestamptz 'epoch' + $4::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE amendment_id = $1::bigint
