-- A page of assignments after id $1, at most $2: of county $3 ('' = any), kommun $4 ('' = any),
-- assignment year $5 (0 = any), and state $6 as of day $7 ('' = any: 'ASSIGNED', 'RECEIVED',
-- 'OVERDUE'). Columns as settlement_assignment_get.sql.
SELECT assignment_id, household_reference, lanskod, kommunkod, persons,
       to_char(assignment_date, 'YYYY-MM-DD') AS assignment_date,
       to_char(due_date, 'YYYY-MM-DD') AS due_date,
       coalesce(to_char(reception_date, 'YYYY-MM-DD'), '') AS reception_date, revision,
       (extract(epoch FROM create_time) * 1000000)::bigint AS create_us,
       (extract(epoch FROM update_time) * 1000000)::bigint AS update_us
  FROM settlement_assignments
 WHERE assignment_id > $1
   AND ($3 = '' OR lanskod = $3)
   AND ($4 = '' OR kommunkod = $4)
   AND ($5::int = 0 OR extract(year FROM assignment_date) = $5::int)
   AND ($6 = ''
        OR ($6 = 'RECEIVED' AND reception_date IS NOT NULL)
        OR ($6 = 'OVERDUE' AND reception_date IS NULL AND due_date < $7::date)
        OR ($6 = 'ASSIGNED' AND reception_date IS NULL AND due_date >= $7::date))
 ORDER BY assignment_id
 LIMIT $2::int
