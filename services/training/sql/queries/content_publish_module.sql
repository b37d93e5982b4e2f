-- Publishes a module.
UPDATE modules
   SET state = 'PUBLISHED', update_time = now(), revision = revision + 1
 WHERE part_id = $1 AND module_id = $2
