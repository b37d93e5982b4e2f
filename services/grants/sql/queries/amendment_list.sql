-- A page of an application's amendments, oldest first ($1 application), after amendment id
-- $2 (0 for the first page), at most $3 rows, in the columns of amendment_row
-- (amendment_repository.cc AmendmentFromRow).
SELECT *
  FROM amendment_row
 WHERE application_id = $1::bigint AND amendment_id > $2::bigint
 ORDER BY amendment_id
 LIMIT $3::bigint
