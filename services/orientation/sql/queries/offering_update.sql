-- Writes offering $1's kept fields (as offering_insert.sql from $2, without the county) at $8
-- (µs) and moves its revision on.
UPDATE offerings
   SET display_name = $2, language = $3, communicator = $4, start_date = $5::date,
       end_date = $6::date, capacity = $7,
       update_time = timestamptz 'epoch' + $8::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE offering_id = $1
