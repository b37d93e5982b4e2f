-- A page of programmes by id after $1 (keyset), at most $2 rows, in the columns of
-- programme_row (programme_repository.cc ProgrammeFromRow).
SELECT *
  FROM programme_row
 WHERE programme_id > $1
 ORDER BY programme_id
 LIMIT $2::int
