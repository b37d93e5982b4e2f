-- The attendance lines of enrolment $1 with their sessions: date, state, status and themes as
-- "THEME:minutes,..." (rules/progress.h adds them up).
SELECT to_char(s.session_date, 'YYYY-MM-DD') AS session_date, s.state, a.status,
       (SELECT string_agg(t.theme || ':' || t.minutes, ',') FROM session_themes t
         WHERE t.session_id = s.session_id) AS themes
  FROM attendance a
  JOIN sessions s ON s.session_id = a.session_id
 WHERE a.enrolment_id = $1
