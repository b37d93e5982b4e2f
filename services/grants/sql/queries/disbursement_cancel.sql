-- Cancels SCHEDULED instalment $2 of application $1 at $3 (µs); no row when it is not
-- SCHEDULED.
-- Columns (disbursement_repository.cc DisbursementFromRow): disbursement_id, application_id,
-- amount_ore, scheduled_date (YYYY-MM-DD), state, payment_reference, pay_time µs (or 0),
-- create_time µs, revision.
UPDATE disbursements
   SET state = 'CANCELLED',
       update_time = timestamptz 'epoch' + $3::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE application_id = $1::bigint AND disbursement_id = $2::bigint AND state = 'SCHEDULED'
RETURNING disbursement_id, application_id, amount_ore, scheduled_date::text, state, payment_reference,
       coalesce((extract(epoch FROM pay_time) * 1000000)::bigint, 0),
       (extract(epoch FROM create_time) * 1000000)::bigint, revision
