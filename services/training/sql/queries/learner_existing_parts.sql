-- Which of the part ids $1 (a text array) exist and are open for enrolment (not archived).
SELECT part_id FROM parts WHERE part_id = ANY ($1::text[]) AND archive_time IS NULL
