-- A page of participant $1's enrolments by id after $2, at most $3. Columns as
-- enrolment_get.sql.
SELECT e.enrolment_id, e.participant_id, e.offering_id, e.kommunkod,
       to_char(e.enrol_date, 'YYYY-MM-DD') AS enrol_date, e.exception_reason,
       array_to_string(e.overridden_reasons, ',') AS overridden_reasons, e.state, e.revision,
       (extract(epoch FROM e.create_time) * 1000000)::bigint AS create_us
  FROM enrolments e
 WHERE e.participant_id = $1 AND e.enrolment_id > $2
 ORDER BY e.enrolment_id
 LIMIT $3::int
