-- Every part of the course (not archived) in order with its published modules in order (one
-- row per module; a part without published modules comes once with a NULL module_id).
SELECT p.part_id, p.title AS part_title, m.module_id
FROM parts p
LEFT JOIN modules m ON m.part_id = p.part_id AND m.state = 'PUBLISHED'
WHERE p.archive_time IS NULL
ORDER BY p.position, p.part_id, m.position, m.module_id
