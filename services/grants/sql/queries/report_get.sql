-- One report of an application by its name's ids ($1 call, $2 application, $3 report).
-- Columns (report_repository.cc ReportFromRow):
--  0 report_id  1 application_id  2 call_id  3 lanskod  4 report_type  5 due_date (YYYY-MM-DD)
--  6 state  7 used_ore  8 activities  9 participants_women  10 participants_men
-- 11 participants_other  12 outcomes  13 submit_time µs (or 0)  14 accepted_ore
-- 15 review_comment  16 revision
SELECT r.report_id, r.application_id, a.call_id, r.lanskod, r.report_type, r.due_date::text,
       r.state, r.used_ore, r.activities, r.participants_women, r.participants_men,
       r.participants_other, r.outcomes,
       coalesce((extract(epoch FROM r.submit_time) * 1000000)::bigint, 0),
       r.accepted_ore, r.review_comment, r.revision
  FROM reports r
  JOIN applications a ON a.application_id = r.application_id
 WHERE a.call_id = $1::bigint AND r.application_id = $2::bigint AND r.report_id = $3::bigint
