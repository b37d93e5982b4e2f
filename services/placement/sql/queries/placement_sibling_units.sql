-- The units where the siblings of child $2 (sibling group $1) have open placements.
SELECT DISTINCT p.unit_id
  FROM placements p JOIN children c USING (child_id)
 WHERE c.sibling_group = $1 AND c.child_id <> $2 AND p.state <> 'ENDED'
 ORDER BY p.unit_id
