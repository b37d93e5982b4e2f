-- Session $1 with its themes as "THEME:minutes,..." (offering_repository.cc).
SELECT s.session_id, s.offering_id, to_char(s.session_date, 'YYYY-MM-DD') AS session_date,
       s.minutes, s.state, s.cancel_reason, s.revision,
       (SELECT string_agg(t.theme || ':' || t.minutes, ',') FROM session_themes t
         WHERE t.session_id = s.session_id) AS themes,
       (extract(epoch FROM s.create_time) * 1000000)::bigint AS create_us
  FROM sessions s
 WHERE s.session_id = $1
