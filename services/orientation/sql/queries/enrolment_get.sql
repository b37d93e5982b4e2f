-- Enrolment $1 (participant_repository.cc; its progress from enrolment_attended.sql).
SELECT e.enrolment_id, e.participant_id, e.offering_id, e.kommunkod,
       to_char(e.enrol_date, 'YYYY-MM-DD') AS enrol_date, e.exception_reason,
       array_to_string(e.overridden_reasons, ',') AS overridden_reasons, e.state, e.revision,
       (extract(epoch FROM e.create_time) * 1000000)::bigint AS create_us
  FROM enrolments e
 WHERE e.enrolment_id = $1
