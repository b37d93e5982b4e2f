-- Replaces a module's editable fields and bumps its revision.
UPDATE modules
   SET title = $3, description = $4, position = $5::integer, content = $6::bytea,
       update_time = now(), revision = revision + 1
 WHERE part_id = $1 AND module_id = $2
