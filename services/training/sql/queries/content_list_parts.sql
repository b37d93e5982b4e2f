-- Parts in course order after position $1, at most $2, in the columns of part_row
-- (content_repository.cc ToPartRow).
SELECT *
  FROM part_row
 WHERE position > $1::integer
 ORDER BY position
 LIMIT $2::integer
