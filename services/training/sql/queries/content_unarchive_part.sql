-- Takes part $1 (the caller checked it is archived) back into the course; bumps its revision.
UPDATE parts
   SET archive_time = NULL, update_time = now(), revision = revision + 1
 WHERE part_id = $1
