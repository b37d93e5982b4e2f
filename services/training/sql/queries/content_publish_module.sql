-- Publishes a module (a draft, or an archived one again).
UPDATE modules
   SET state = 'PUBLISHED', archive_time = NULL, update_time = now(), revision = revision + 1
 WHERE part_id = $1 AND module_id = $2
