-- Participants of organisation $1 with ids after $2, at most $3, with their attendance; or,
-- when $4 is not empty, exactly the ids in $4 (comma-separated) of organisation $1.
SELECT p.participant_id, p.sex, p.birth_year,
       count(a.session_id) AS sessions_attended,
       coalesce(sum(s.duration_minutes), 0)::bigint AS attended_minutes,
       (extract(epoch FROM p.create_time) * 1000000)::bigint AS create_us
  FROM participants p
  LEFT JOIN attendance a ON a.participant_id = p.participant_id
  LEFT JOIN sessions s ON s.session_id = a.session_id
 WHERE p.orgnr = $1
   AND (CASE WHEN $4 = '' THEN p.participant_id > $2
             ELSE p.participant_id = ANY (string_to_array($4, ',')::bigint[]) END)
 GROUP BY p.participant_id
 ORDER BY p.participant_id
 LIMIT $3
