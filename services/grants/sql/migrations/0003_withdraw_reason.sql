-- The reason an applicant gives for withdrawing its application is kept on the application
-- (shown to the applicant and the county with it), no longer as free text in the audit trail,
-- whose detail holds no personal data. application_row gains the column at its end.
ALTER TABLE applications ADD COLUMN withdraw_reason text NOT NULL DEFAULT '';

CREATE OR REPLACE VIEW application_row AS
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
  FROM applications a
  JOIN calls c ON c.call_id = a.call_id;
