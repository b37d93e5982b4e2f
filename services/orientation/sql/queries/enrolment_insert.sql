-- Enrols participant $1 of kommun $3 (county $4) in offering $2 on $5 ('YYYY-MM-DD'), with
-- exception reason $6 overriding reasons $7 (comma-separated), at $8 (µs). Its id, or no row
-- when the participant is enrolled in the offering already.
INSERT INTO enrolments (participant_id, offering_id, kommunkod, lanskod, enrol_date,
                        exception_reason, overridden_reasons, state, create_time, update_time)
VALUES ($1, $2, $3, $4, $5::date, $6, string_to_array($7, ','), 'STATE_ENROLLED',
        timestamptz 'epoch' + $8::bigint * interval '1 microsecond',
        timestamptz 'epoch' + $8::bigint * interval '1 microsecond')
ON CONFLICT ON CONSTRAINT enrolments_participant_offering_key DO NOTHING
RETURNING enrolment_id
