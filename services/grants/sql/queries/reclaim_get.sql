-- One reclaim of an application by its name's ids ($1 call, $2 application, $3 reclaim), in
-- the columns of the reclaim_row view (migration 0002), which reclaim_repository.cc
-- ReclaimFromRow reads by name.
SELECT *
  FROM reclaim_row
 WHERE call_id = $1::bigint AND application_id = $2::bigint AND reclaim_id = $3::bigint
