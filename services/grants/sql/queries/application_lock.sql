-- Takes an application's row lock (every state change does, before reading it with
-- application_get.sql: locking through application_row would lock its call's row too); no row
-- when it does not exist.
SELECT application_id FROM applications
 WHERE call_id = $1::bigint AND application_id = $2::bigint
   FOR UPDATE
