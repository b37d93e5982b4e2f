-- One amendment by its name's ids ($1 call, $2 application, $3 amendment), in the columns of
-- the amendment_row view (migration 0002), which amendment_repository.cc AmendmentFromRow reads
-- by name.
SELECT *
  FROM amendment_row
 WHERE call_id = $1::bigint AND application_id = $2::bigint AND amendment_id = $3::bigint
