-- Locks placement $2 of child $1; its unit, state and revision.
SELECT unit_id, state, revision FROM placements
 WHERE child_id = $1 AND placement_id = $2
   FOR UPDATE
