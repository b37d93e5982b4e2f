-- Locks the assigned children of sibling group $1 other than child $2; their ids.
SELECT child_id
  FROM children
 WHERE sibling_group = $1 AND state = 'ASSIGNED' AND child_id <> $2
 ORDER BY child_id
   FOR UPDATE
