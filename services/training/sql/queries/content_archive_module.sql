-- Archives module ($1 part, $2 module), which the caller checked is published.
UPDATE modules
   SET state = 'ARCHIVED', archive_time = now(), update_time = now(), revision = revision + 1
 WHERE part_id = $1 AND module_id = $2
