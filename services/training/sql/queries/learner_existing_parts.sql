-- Which of the part ids $1 (a text array) exist.
SELECT part_id FROM parts WHERE part_id = ANY ($1::text[])
