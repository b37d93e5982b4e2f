-- Instalment $2 of application $1 as disbursement_get.sql, row-locked (pay, cancel);
-- disbursement_row reads only disbursements, so only the instalment's row is locked.
SELECT *
  FROM disbursement_row
 WHERE application_id = $1::bigint AND disbursement_id = $2::bigint
   FOR UPDATE
