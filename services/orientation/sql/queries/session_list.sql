-- A page of offering $1's sessions by id after $2, at most $3. Columns as session_get.sql.
SELECT s.session_id, s.offering_id, to_char(s.session_date, 'YYYY-MM-DD') AS session_date,
       s.minutes, s.state, s.cancel_reason, s.revision,
       (SELECT string_agg(t.theme || ':' || t.minutes, ',') FROM session_themes t
         WHERE t.session_id = s.session_id) AS themes,
       (extract(epoch FROM s.create_time) * 1000000)::bigint AS create_us
  FROM sessions s
 WHERE s.offering_id = $1 AND s.session_id > $2
 ORDER BY s.session_id
 LIMIT $3::int
