-- The raw figures of county $1 for the days $2 to $3 ('YYYY-MM-DD', end exclusive) as rows
-- (figure, key, value): arrivals and assignments per kommun, waiting children per assigned
-- kommun ('' while unassigned), places and taken places per kommun, placements per unit type.
SELECT 'arrivals' AS figure, arrival_kommunkod AS key, count(*) AS value
  FROM children
 WHERE lanskod = $1 AND arrival_date >= $2::date AND arrival_date < $3::date
 GROUP BY arrival_kommunkod
UNION ALL
SELECT 'assignments', kommunkod, count(*)
  FROM children
 WHERE lanskod = $1 AND state = 'ASSIGNED' AND arrival_date >= $2::date AND arrival_date < $3::date
 GROUP BY kommunkod
UNION ALL
SELECT 'waiting', coalesce(c.kommunkod, ''), count(*)
  FROM children c
 WHERE c.lanskod = $1
   AND NOT EXISTS (SELECT 1 FROM placements p
                    WHERE p.child_id = c.child_id AND p.state IN ('CONFIRMED', 'ACTIVE'))
 GROUP BY coalesce(c.kommunkod, '')
UNION ALL
SELECT 'places', kommunkod, sum(places)
  FROM units
 WHERE lanskod = $1
 GROUP BY kommunkod
UNION ALL
SELECT 'taken', u.kommunkod, count(*)
  FROM placements p JOIN units u USING (unit_id)
 WHERE u.lanskod = $1 AND p.state IN ('CONFIRMED', 'ACTIVE')
 GROUP BY u.kommunkod
UNION ALL
SELECT 'by_type', u.type, count(*)
  FROM placements p JOIN units u USING (unit_id)
 WHERE u.lanskod = $1 AND p.state IN ('CONFIRMED', 'ACTIVE')
 GROUP BY u.type
