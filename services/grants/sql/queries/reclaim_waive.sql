-- Waives a raised reclaim: $1 reclaim id, $2 reason, $3 time µs.
UPDATE reclaims
   SET state = 'WAIVED', waive_reason = $2::text,
       close_time = timestamptz 'epoch' + $3::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE reclaim_id = $1::bigint
