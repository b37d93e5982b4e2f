-- The module of part $1 other than $3 at position $2, if any.
SELECT module_id FROM modules WHERE part_id = $1 AND position = $2::integer AND module_id <> $3
