-- Application $1's instalments by scheduled date, strictly after ($2 date, $3 id), at most $4.
-- The first page passes ('-infinity', 0).
-- Columns (disbursement_repository.cc DisbursementFromRow): disbursement_id, application_id,
-- amount_ore, scheduled_date (YYYY-MM-DD), state, payment_reference, pay_time µs (or 0),
-- create_time µs, revision.
SELECT disbursement_id, application_id, amount_ore, scheduled_date::text, state, payment_reference,
       coalesce((extract(epoch FROM pay_time) * 1000000)::bigint, 0),
       (extract(epoch FROM create_time) * 1000000)::bigint, revision
  FROM disbursements
 WHERE application_id = $1::bigint
   AND (scheduled_date, disbursement_id) > ($2::date, $3::bigint)
 ORDER BY scheduled_date, disbursement_id
 LIMIT $4::integer
