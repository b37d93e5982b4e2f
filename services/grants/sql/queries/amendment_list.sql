-- A page of an application's amendments, oldest first ($1 application), after amendment id
-- $2 (0 for the first page), at most $3 rows.
-- Columns (amendment_repository.cc AmendmentFromRow):
--  0 amendment_id  1 application_id  2 call_id  3 state  4 reason  5 new_period_start (or '')
--  6 new_period_end (or '')  7 has new budget  8 new_budget  9 prev_period_start (or '')
-- 10 prev_period_end (or '')  11 has prev budget  12 prev_budget  13 decision_comment
-- 14 decider  15 create_time µs  16 decide_time µs (or 0)  17 revision
SELECT m.amendment_id, m.application_id, a.call_id, m.state, m.reason,
       coalesce(m.new_period_start::text, ''), coalesce(m.new_period_end::text, ''),
       m.new_budget IS NOT NULL, coalesce(m.new_budget, ''::bytea),
       coalesce(m.prev_period_start::text, ''), coalesce(m.prev_period_end::text, ''),
       m.prev_budget IS NOT NULL, coalesce(m.prev_budget, ''::bytea),
       m.decision_comment, m.decider,
       (extract(epoch FROM m.create_time) * 1000000)::bigint,
       coalesce((extract(epoch FROM m.decide_time) * 1000000)::bigint, 0),
       m.revision
  FROM amendments m
  JOIN applications a ON a.application_id = m.application_id
 WHERE m.application_id = $1::bigint AND m.amendment_id > $2::bigint
 ORDER BY m.amendment_id
 LIMIT $3::bigint
