-- Modules of part $1 in order after position $3, at most $4; drafts too when $2. Columns of
-- module_row (content_repository.cc ToModuleRow).
SELECT *
  FROM module_row
 WHERE part_id = $1 AND ($2::boolean OR state = 'PUBLISHED') AND position > $3::integer
 ORDER BY position
 LIMIT $4::integer
