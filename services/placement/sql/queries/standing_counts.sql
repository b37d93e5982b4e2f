-- Children assigned to each kommun of county $1 that arrived on or after $2 ('YYYY-MM-DD'):
-- the standings of an allocation key since its base date.
SELECT kommunkod, count(*) AS assigned
  FROM children
 WHERE lanskod = $1 AND state = 'ASSIGNED' AND arrival_date >= $2::date
 GROUP BY kommunkod
