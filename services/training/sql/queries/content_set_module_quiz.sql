-- Points a module at quiz version $3 and bumps its revision.
UPDATE modules
   SET quiz_version = $3::integer, update_time = now(), revision = revision + 1
 WHERE part_id = $1 AND module_id = $2
