-- One module ($1 part, $2 module), in the columns of the module_row view (migration 0005),
-- which content_repository.cc ToModuleRow reads by name.
SELECT * FROM module_row WHERE part_id = $1 AND module_id = $2
