-- A new part; position $4, or after the last part when $4 is 0. No row when the id exists.
INSERT INTO parts (part_id, title, description, position)
VALUES ($1, $2, $3,
        CASE WHEN $4::integer > 0 THEN $4::integer
             ELSE (SELECT coalesce(max(position), 0) + 1 FROM parts) END)
ON CONFLICT (part_id) DO NOTHING
RETURNING part_id
