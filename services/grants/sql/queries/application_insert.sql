-- Creates a DRAFT application in call $1 of county $2 and returns it in the columns of the
-- application_row view (application_repository.cc ApplicationFromRow), so that no second look-up
-- follows (one round trip, and no plan for a look-up in a table that may have been nearly empty
-- when the connection prepared it). The select list repeats application_row's because a
-- data-modifying CTE's row is not visible to a view read in the same statement; the decoder
-- reads both by the same names. $3/$4 applicant kommunkod / orgnr ('' for the one that is
-- absent); $5 ApplicantType enum name; $9/$10 project period (YYYY-MM-DD, '' = not given yet);
-- $11 serialized BudgetPlan; $13 serialized Application holding only partners; $14
-- co-applicant kommunkoder, comma-separated; $15 now (µs).
WITH a AS (
  INSERT INTO applications (call_id, lanskod, applicant_kommunkod, applicant_orgnr,
                            applicant_type, applicant_name, project_title, description,
                            period_start, period_end, budget, requested_ore, partners,
                            co_applicant_kommuner, state, create_time, update_time)
  VALUES ($1::bigint, $2, NULLIF($3, ''), NULLIF($4, ''), $5, $6, $7, $8,
          NULLIF($9, '')::date, NULLIF($10, '')::date, $11, $12::bigint, $13,
          string_to_array($14, ','), 'DRAFT',
          timestamptz 'epoch' + $15::bigint * interval '1 microsecond',
          timestamptz 'epoch' + $15::bigint * interval '1 microsecond')
  RETURNING *
)
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
       a.revision,
       a.withdraw_reason
  FROM a
  JOIN calls c ON c.call_id = a.call_id
