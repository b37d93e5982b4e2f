-- Marks SCHEDULED instalment $2 of application $1 PAID with reference $3 at $4 (µs); no row
-- when it is not SCHEDULED.
-- Returns the columns of the disbursement_row view (migration 0002) by the same names, which
-- disbursement_repository.cc DisbursementFromRow reads (RETURNING cannot read a view).
UPDATE disbursements
   SET state = 'PAID', payment_reference = $3,
       pay_time = timestamptz 'epoch' + $4::bigint * interval '1 microsecond',
       update_time = timestamptz 'epoch' + $4::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE application_id = $1::bigint AND disbursement_id = $2::bigint AND state = 'SCHEDULED'
RETURNING disbursement_id, application_id, amount_ore, scheduled_date, state, payment_reference,
          (extract(epoch FROM pay_time) * 1000000)::bigint AS pay_micros,
          (extract(epoch FROM create_time) * 1000000)::bigint AS create_micros, revision
