-- Application $1's instalments by scheduled date, strictly after ($2 date, $3 id), at most $4.
-- The first page passes ('-infinity', 0). Columns of disbursement_row
-- (disbursement_repository.cc DisbursementFromRow).
SELECT *
  FROM disbursement_row
 WHERE application_id = $1::bigint
   AND (scheduled_date, disbursement_id) > ($2::date, $3::bigint)
 ORDER BY scheduled_date, disbursement_id
 LIMIT $4::integer
