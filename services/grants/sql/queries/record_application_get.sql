-- One application with its call's programme. Columns (records.cc ApplicationFromRow):
--  0 application_id  1 call_id  2 lanskod  3 programme_id  4 applicant_kommunkod (or '')
--  5 applicant_orgnr (or '')  6 applicant_type  7 applicant_name  8 project_title
--  9 description  10 period_start (or '')  11 period_end (or '')  12 budget  13 requested_ore
-- 14 partners  15 co_applicant_kommuner (comma-separated)  16 state  17 diarienummer (or '')
-- 18 submit_time µs (or 0)  19 decision_outcome (or '')  20 approved_ore  21 conditions
-- 22 decider  23 decide_time µs (or 0)  24 paid_ore  25 create_time µs  26 update_time µs
-- 27 revision
SELECT a.application_id, a.call_id, a.lanskod, c.programme_id,
       coalesce(a.applicant_kommunkod, ''), coalesce(a.applicant_orgnr, ''),
       a.applicant_type, a.applicant_name, a.project_title, a.description,
       coalesce(a.period_start::text, ''), coalesce(a.period_end::text, ''),
       a.budget, a.requested_ore, a.partners, array_to_string(a.co_applicant_kommuner, ','),
       a.state, coalesce(a.diarienummer, ''),
       coalesce((extract(epoch FROM a.submit_time) * 1000000)::bigint, 0),
       coalesce(a.decision_outcome, ''), a.approved_ore, a.conditions, a.decider,
       coalesce((extract(epoch FROM a.decide_time) * 1000000)::bigint, 0),
       a.paid_ore,
       (extract(epoch FROM a.create_time) * 1000000)::bigint,
       (extract(epoch FROM a.update_time) * 1000000)::bigint,
       a.revision
  FROM applications a
  JOIN calls c ON c.call_id = a.call_id
 WHERE a.call_id = $1::bigint AND a.application_id = $2::bigint
