-- Replaces a part's editable fields and bumps its revision.
UPDATE parts
   SET title = $2, description = $3, position = $4::integer, update_time = now(),
       revision = revision + 1
 WHERE part_id = $1
