-- Per organisation and kommun in year $1 (county $2, organisation $3; '' for all): activities
-- with a session that year, distinct people, minutes attended.
SELECT ac.orgnr, ac.kommunkod,
       count(DISTINCT ac.activity_id) AS activities,
       count(DISTINCT p.lma_key) AS participants,
       coalesce(sum(s.duration_minutes) FILTER (WHERE a.participant_id IS NOT NULL), 0)::bigint
         AS minutes
  FROM activities ac
  JOIN sessions s ON s.activity_id = ac.activity_id
  LEFT JOIN attendance a ON a.session_id = s.session_id
  LEFT JOIN participants p ON p.participant_id = a.participant_id
 WHERE extract(year FROM s.session_date) = $1
   AND ($2 = '' OR ac.lanskod = $2) AND ($3 = '' OR ac.orgnr = $3)
 GROUP BY ac.orgnr, ac.kommunkod
 ORDER BY 1, 2
