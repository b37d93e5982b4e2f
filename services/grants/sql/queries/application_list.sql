-- A page of applications, oldest first (keyset on application_id after $2), at most $7 rows.
-- $1 the call (0 = every call); $3 stored state ('' = any); $4 applicant kommunkod ('' = any).
-- Whose view ($5/$6): 'lan' — applications of calls in county $6; 'kommun' — kommun $6 as
-- applicant or co-applicant; 'orgnr' — organisation $6 as applicant. Columns as
-- record_application_get.sql (records.cc ApplicationFromRow).
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
 WHERE ($1::bigint = 0 OR a.call_id = $1::bigint)
   AND a.application_id > $2::bigint
   AND ($3 = '' OR a.state = $3)
   AND ($4 = '' OR a.applicant_kommunkod::text = $4)
   AND CASE $5
         WHEN 'lan' THEN a.lanskod::text = $6
         WHEN 'kommun' THEN a.applicant_kommunkod::text = $6
                            OR $6 = ANY (a.co_applicant_kommuner)
         WHEN 'orgnr' THEN a.applicant_orgnr = $6
         ELSE false
       END
 ORDER BY a.application_id
 LIMIT $7::int
