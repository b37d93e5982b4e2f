-- Creates a DRAFT application in call $1 of county $2. $3/$4 applicant kommunkod / orgnr ('' for
-- the one that is absent); $5 ApplicantType enum name; $9/$10 project period (YYYY-MM-DD, ''
-- = not given yet); $11 serialized BudgetPlan; $13 serialized Application holding only
-- partners; $14 co-applicant kommunkoder, comma-separated; $15 now (µs).
INSERT INTO applications (call_id, lanskod, applicant_kommunkod, applicant_orgnr,
                          applicant_type, applicant_name, project_title, description,
                          period_start, period_end, budget, requested_ore, partners,
                          co_applicant_kommuner, state, create_time, update_time)
VALUES ($1::bigint, $2, NULLIF($3, ''), NULLIF($4, ''), $5, $6, $7, $8,
        NULLIF($9, '')::date, NULLIF($10, '')::date, $11, $12::bigint, $13,
        string_to_array($14, ','), 'DRAFT',
        timestamptz 'epoch' + $15::bigint * interval '1 microsecond',
        timestamptz 'epoch' + $15::bigint * interval '1 microsecond')
RETURNING application_id
