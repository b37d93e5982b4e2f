-- Moves a call to the stored state $2 ('OPEN', 'CLOSED', 'ARCHIVED'); $3 now (µs).
UPDATE calls
   SET state = $2,
       update_time = timestamptz 'epoch' + $3::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE call_id = $1::bigint
