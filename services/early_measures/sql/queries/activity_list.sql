-- Activity ids of organisation $1 after id $2, at most $3; only county $4's unless $4 is ''.
SELECT activity_id
  FROM activities
 WHERE orgnr = $1 AND activity_id > $2 AND ($4 = '' OR lanskod = $4)
 ORDER BY activity_id
 LIMIT $3
