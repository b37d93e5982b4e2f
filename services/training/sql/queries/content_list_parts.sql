-- Parts in course order after position $1, at most $2, in the columns of part_row
-- (content_repository.cc ToPartRow); archived parts only when $3.
SELECT *
  FROM part_row
 WHERE position > $1::integer AND ($3::boolean OR archive_micros IS NULL)
 ORDER BY position
 LIMIT $2::integer
