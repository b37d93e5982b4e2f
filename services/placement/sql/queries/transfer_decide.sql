-- Moves transfer $1 to state $2 at $3 (µs).
UPDATE share_transfers
   SET state = $2, decide_time = timestamptz 'epoch' + $3::bigint * interval '1 microsecond'
 WHERE transfer_id = $1
