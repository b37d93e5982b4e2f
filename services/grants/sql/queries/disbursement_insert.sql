-- A SCHEDULED instalment of application $1: amount $2 öre, scheduled date $3 (YYYY-MM-DD),
-- create time $4 (µs).
-- Columns (disbursement_repository.cc DisbursementFromRow): disbursement_id, application_id,
-- amount_ore, scheduled_date (YYYY-MM-DD), state, payment_reference, pay_time µs (or 0),
-- create_time µs, revision.
INSERT INTO disbursements (application_id, amount_ore, scheduled_date, create_time, update_time)
VALUES ($1::bigint, $2::bigint, $3::date,
        timestamptz 'epoch' + $4::bigint * interval '1 microsecond',
        timestamptz 'epoch' + $4::bigint * interval '1 microsecond')
RETURNING disbursement_id, application_id, amount_ore, scheduled_date::text, state, payment_reference,
       coalesce((extract(epoch FROM pay_time) * 1000000)::bigint, 0),
       (extract(epoch FROM create_time) * 1000000)::bigint, revision
