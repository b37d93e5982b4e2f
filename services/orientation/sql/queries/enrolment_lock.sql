-- Locks enrolment $1 (attendance records of it wait for each other); its participant,
-- offering, kommun and state.
SELECT participant_id, offering_id, kommunkod, state FROM enrolments WHERE enrolment_id = $1
   FOR UPDATE
