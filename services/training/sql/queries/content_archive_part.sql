-- Archives part $1 (the caller checked it is not archived yet) and bumps its revision.
UPDATE parts
   SET archive_time = now(), update_time = now(), revision = revision + 1
 WHERE part_id = $1
