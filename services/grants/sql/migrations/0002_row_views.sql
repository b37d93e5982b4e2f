-- The read shape of each aggregate: one view per aggregate that every query reading it selects
-- from, so its column list is written once and the repositories decode rows by these names.
-- Runs with search_path = grants. Naming: a column passed through keeps its table name (dates
-- stay `date`, read as 'YYYY-MM-DD'; NULLs stay NULL and the decoder says what they mean);
-- a moment becomes `<name>_micros` (µs since the epoch) and an array `<name>_list` (its
-- elements comma-separated). Raw columns that queries filter or sort on stay in the view, so
-- the planner still uses the tables' indexes through it (a plain view is inlined).

CREATE VIEW programme_row AS
SELECT p.programme_id, p.display_name, p.legal_basis, p.description,
       array_to_string(p.eligible_types, ',') AS eligible_types_list,
       p.required_reports,
       (extract(epoch FROM p.create_time) * 1000000)::bigint AS create_micros,
       (extract(epoch FROM p.update_time) * 1000000)::bigint AS update_micros,
       p.revision
  FROM programmes p;

-- open_time and close_time stay for the lists' filters and keyset order.
CREATE VIEW call_row AS
SELECT c.call_id, c.programme_id, c.lanskod, c.title, c.description, c.open_time, c.close_time,
       (extract(epoch FROM c.open_time) * 1000000)::bigint AS open_micros,
       (extract(epoch FROM c.close_time) * 1000000)::bigint AS close_micros,
       c.budget_ore, c.max_per_application_ore, c.funding_start, c.funding_end, c.criteria,
       c.state, c.approved_total_ore,
       (extract(epoch FROM c.create_time) * 1000000)::bigint AS create_micros,
       (extract(epoch FROM c.update_time) * 1000000)::bigint AS update_micros,
       c.revision
  FROM calls c;

-- With its call's programme. co_applicant_kommuner stays an array for the lists' filter.
CREATE VIEW application_row AS
SELECT a.application_id, a.call_id, a.lanskod, c.programme_id, a.applicant_kommunkod,
       a.applicant_orgnr, a.applicant_type, a.applicant_name, a.project_title, a.description,
       a.period_start, a.period_end, a.budget, a.requested_ore, a.partners,
       a.co_applicant_kommuner,
       array_to_string(a.co_applicant_kommuner, ',') AS co_applicant_kommuner_list,
       a.state, a.diarienummer,
       (extract(epoch FROM a.submit_time) * 1000000)::bigint AS submit_micros,
       a.decision_outcome, a.approved_ore, a.conditions, a.decider,
       (extract(epoch FROM a.decide_time) * 1000000)::bigint AS decide_micros,
       a.paid_ore,
       (extract(epoch FROM a.create_time) * 1000000)::bigint AS create_micros,
       (extract(epoch FROM a.update_time) * 1000000)::bigint AS update_micros,
       a.revision
  FROM applications a
  JOIN calls c ON c.call_id = a.call_id;

-- The amendments, reclaims and reports below an application carry its call (their names do).
CREATE VIEW amendment_row AS
SELECT m.amendment_id, m.application_id, a.call_id, m.state, m.reason, m.new_period_start,
       m.new_period_end, m.new_budget, m.prev_period_start, m.prev_period_end, m.prev_budget,
       m.decision_comment, m.decider,
       (extract(epoch FROM m.create_time) * 1000000)::bigint AS create_micros,
       (extract(epoch FROM m.decide_time) * 1000000)::bigint AS decide_micros,
       m.revision
  FROM amendments m
  JOIN applications a ON a.application_id = m.application_id;

CREATE VIEW reclaim_row AS
SELECT k.reclaim_id, k.application_id, a.call_id, k.reason, k.amount_ore, k.state, k.comment,
       k.settled_ore, k.payment_reference, k.waive_reason,
       (extract(epoch FROM k.raise_time) * 1000000)::bigint AS raise_micros,
       (extract(epoch FROM k.close_time) * 1000000)::bigint AS close_micros,
       k.revision
  FROM reclaims k
  JOIN applications a ON a.application_id = k.application_id;

CREATE VIEW report_row AS
SELECT r.report_id, r.application_id, a.call_id, r.lanskod, r.report_type, r.due_date, r.state,
       r.used_ore, r.activities, r.participants_women, r.participants_men,
       r.participants_other, r.outcomes,
       (extract(epoch FROM r.submit_time) * 1000000)::bigint AS submit_micros,
       r.accepted_ore, r.review_comment, r.revision
  FROM reports r
  JOIN applications a ON a.application_id = r.application_id;

CREATE VIEW disbursement_row AS
SELECT d.disbursement_id, d.application_id, d.amount_ore, d.scheduled_date, d.state,
       d.payment_reference,
       (extract(epoch FROM d.pay_time) * 1000000)::bigint AS pay_micros,
       (extract(epoch FROM d.create_time) * 1000000)::bigint AS create_micros,
       d.revision
  FROM disbursements d;
