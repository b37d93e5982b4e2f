-- A page of an application's reclaims, oldest first ($1 application), after reclaim id $2
-- (0 for the first page), at most $3 rows.
-- Columns (reclaim_repository.cc ReclaimFromRow):
--  0 reclaim_id  1 application_id  2 call_id  3 reason  4 amount_ore  5 state  6 comment
--  7 settled_ore  8 payment_reference  9 waive_reason  10 raise_time µs
-- 11 close_time µs (or 0)  12 revision
SELECT k.reclaim_id, k.application_id, a.call_id, k.reason, k.amount_ore, k.state, k.comment,
       k.settled_ore, k.payment_reference, k.waive_reason,
       (extract(epoch FROM k.raise_time) * 1000000)::bigint,
       coalesce((extract(epoch FROM k.close_time) * 1000000)::bigint, 0),
       k.revision
  FROM reclaims k
  JOIN applications a ON a.application_id = k.application_id
 WHERE k.application_id = $1::bigint AND k.reclaim_id > $2::bigint
 ORDER BY k.reclaim_id
 LIMIT $3::bigint
