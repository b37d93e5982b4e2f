-- County $1's assignments of year $2 per kommun ($3: one kommun, '' = all), in persons, as of
-- day $4: assigned, received, overdue (not received, due date before $4).
SELECT kommunkod,
       sum(persons)::int AS assigned,
       coalesce(sum(persons) FILTER (WHERE reception_date IS NOT NULL), 0)::int AS received,
       coalesce(sum(persons) FILTER (WHERE reception_date IS NULL AND due_date < $4::date), 0)::int
         AS overdue
  FROM settlement_assignments
 WHERE lanskod = $1 AND extract(year FROM assignment_date) = $2::int
   AND ($3 = '' OR kommunkod = $3)
 GROUP BY kommunkod
 ORDER BY kommunkod
