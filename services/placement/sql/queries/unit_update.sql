-- Writes unit $1's kept fields (as unit_insert.sql from $2) at $9 (µs) and moves its revision on.
UPDATE units
   SET display_name = $2, places = $3, min_age = $4, max_age = $5,
       sexes = string_to_array($6, ','), languages = string_to_array($7, ','),
       special_reason = $8,
       update_time = timestamptz 'epoch' + $9::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE unit_id = $1
