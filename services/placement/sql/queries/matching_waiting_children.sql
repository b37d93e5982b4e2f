-- The waiting children of county $1: assigned, without an open placement; what their age, fit
-- and costs depend on (the age itself is rules/arrival_rules.h ChildAgeOn's).
SELECT c.child_id, to_char(c.birth_date, 'YYYY-MM-DD') AS birth_date, c.assessed_age,
       to_char(c.arrival_date, 'YYYY-MM-DD') AS arrival_date, c.sex, c.kommunkod,
       c.strong_link_kommunkod, array_to_string(c.languages, ',') AS languages, c.sibling_group
  FROM children c
 WHERE c.lanskod = $1 AND c.state = 'ASSIGNED'
   AND NOT EXISTS (SELECT 1 FROM placements p
                    WHERE p.child_id = c.child_id AND p.state <> 'ENDED')
 ORDER BY c.child_id
