-- Instalment $2 of application $1, in the columns of the disbursement_row view (migration
-- 0002), which disbursement_repository.cc DisbursementFromRow reads by name.
SELECT * FROM disbursement_row WHERE application_id = $1::bigint AND disbursement_id = $2::bigint
