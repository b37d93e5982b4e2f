-- A new draft module; position $5, or after the part's last module when $5 is 0. No row when
-- the id exists in the part.
INSERT INTO modules (part_id, module_id, title, description, position, content)
VALUES ($1, $2, $3, $4,
        CASE WHEN $5::integer > 0 THEN $5::integer
             ELSE (SELECT coalesce(max(position), 0) + 1 FROM modules WHERE part_id = $1) END,
        $6::bytea)
ON CONFLICT (part_id, module_id) DO NOTHING
RETURNING module_id
