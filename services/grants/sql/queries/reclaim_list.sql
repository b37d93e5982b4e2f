-- A page of an application's reclaims, oldest first ($1 application), after reclaim id $2
-- (0 for the first page), at most $3 rows, in the columns of reclaim_row
-- (reclaim_repository.cc ReclaimFromRow).
SELECT *
  FROM reclaim_row
 WHERE application_id = $1::bigint AND reclaim_id > $2::bigint
 ORDER BY reclaim_id
 LIMIT $3::bigint
