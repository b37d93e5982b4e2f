-- One call ($1 its id) and its programme in one round trip (what a new application is checked
-- against): the columns of programme_row, then from call_id on those of call_row. Names both
-- views share (description, revision, ...) are read from the call's part as a row slice that
-- starts at call_id (call_repository.cc).
SELECT p.*, c.*
  FROM call_row c
  JOIN programme_row p ON p.programme_id = c.programme_id
 WHERE c.call_id = $1::bigint
