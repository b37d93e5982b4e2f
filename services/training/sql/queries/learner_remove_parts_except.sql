-- Removes the learner's parts that are not in $2 (a text array); attempts are kept.
DELETE FROM learner_parts WHERE learner_id = $1 AND NOT (part_id = ANY ($2::text[]))
