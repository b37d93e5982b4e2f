-- The first assigned child of sibling group $1 other than child $2, and its kommun.
SELECT child_id, kommunkod
  FROM children
 WHERE sibling_group = $1 AND state = 'ASSIGNED' AND child_id <> $2
 ORDER BY child_id
 LIMIT 1
