-- Settles a raised reclaim: $1 reclaim id, $2 settled_ore, $3 payment reference, $4 time µs.
UPDATE reclaims
   SET state = 'SETTLED', settled_ore = $2::bigint, payment_reference = $3::text,
       close_time = timestamptz 'epoch' + $4::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE reclaim_id = $1::bigint
