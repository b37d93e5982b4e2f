-- A SCHEDULED instalment of application $1: amount $2 öre, scheduled date $3 (YYYY-MM-DD),
-- create time $4 (µs).
-- Returns the columns of the disbursement_row view (migration 0002) by the same names, which
-- disbursement_repository.cc DisbursementFromRow reads (RETURNING cannot read a view).
INSERT INTO disbursements (application_id, amount_ore, scheduled_date, create_time, update_time)
VALUES ($1::bigint, $2::bigint, $3::date,
        timestamptz 'epoch' + $4::bigint * interval '1 microsecond',
        timestamptz 'epoch' + $4::bigint * interval '1 microsecond')
RETURNING disbursement_id, application_id, amount_ore, scheduled_date, state, payment_reference,
          (extract(epoch FROM pay_time) * 1000000)::bigint AS pay_micros,
          (extract(epoch FROM create_time) * 1000000)::bigint AS create_micros, revision
