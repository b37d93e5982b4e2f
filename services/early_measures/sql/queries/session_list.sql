-- Sessions of activity $1 with ids after $2 (0: all), at most $3, by id; or exactly session $4
-- when $4 > 0 (locked for a change of its attendance when $5).
SELECT s.session_id, s.activity_id, to_char(s.session_date, 'YYYY-MM-DD') AS session_date,
       s.duration_minutes, s.attendance_recorded,
       (SELECT count(*) FROM attendance a WHERE a.session_id = s.session_id) AS attendees,
       (extract(epoch FROM s.create_time) * 1000000)::bigint AS create_us
  FROM sessions s
 WHERE s.activity_id = $1
   AND (CASE WHEN $4::bigint > 0 THEN s.session_id = $4::bigint ELSE s.session_id > $2 END)
 ORDER BY s.session_id
 LIMIT $3
