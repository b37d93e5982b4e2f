-- The part other than $2 at position $1, if any.
SELECT part_id FROM parts WHERE position = $1::integer AND part_id <> $2
