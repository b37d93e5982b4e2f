-- Totals in year $1 (county $2, organisation $3; '' for all): distinct people and minutes.
SELECT count(DISTINCT p.lma_key) AS participants,
       coalesce(sum(s.duration_minutes), 0)::bigint AS minutes
  FROM attendance a
  JOIN sessions s ON s.session_id = a.session_id
  JOIN activities ac ON ac.activity_id = s.activity_id
  JOIN participants p ON p.participant_id = a.participant_id
 WHERE extract(year FROM s.session_date) = $1
   AND ($2 = '' OR ac.lanskod = $2) AND ($3 = '' OR ac.orgnr = $3)
