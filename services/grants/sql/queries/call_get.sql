-- One call ($1 its id), in the columns of the call_row view (migration 0002), which
-- call_repository.cc CallFromRow reads by name.
SELECT * FROM call_row WHERE call_id = $1::bigint
