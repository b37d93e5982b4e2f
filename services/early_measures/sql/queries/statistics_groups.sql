-- Attendance in year $1 of county $2 (all when '') and organisation $3 (all when ''), by
-- activity type, kommun, sex and birth year: distinct people (by LMA key) and minutes.
SELECT ac.type, ac.kommunkod, p.sex, p.birth_year,
       count(DISTINCT p.lma_key) AS participants,
       sum(s.duration_minutes)::bigint AS minutes
  FROM attendance a
  JOIN sessions s ON s.session_id = a.session_id
  JOIN activities ac ON ac.activity_id = s.activity_id
  JOIN participants p ON p.participant_id = a.participant_id
 WHERE extract(year FROM s.session_date) = $1
   AND ($2 = '' OR ac.lanskod = $2) AND ($3 = '' OR ac.orgnr = $3)
 GROUP BY ac.type, ac.kommunkod, p.sex, p.birth_year
 ORDER BY 1, 2, 3, 4
