-- One application ($1 call, $2 application) with its call's programme, in the columns of the
-- application_row view (migration 0002), which application_repository.cc ApplicationFromRow
-- reads by name.
SELECT * FROM application_row WHERE call_id = $1::bigint AND application_id = $2::bigint
