-- One programme ($1 its id), in the columns of the programme_row view (migration 0002), which
-- programme_repository.cc ProgrammeFromRow reads by name.
SELECT * FROM programme_row WHERE programme_id = $1
