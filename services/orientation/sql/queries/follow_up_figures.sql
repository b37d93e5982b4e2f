-- The follow-up of county $1 for the survey period $2-$3 ('YYYY-MM-DD', inclusive) with a start
-- window of $4 days: rows (figure, kommunkod, value, language); kommunkod '' is the county's
-- own minutes and languages, each session once (rules/follow_up.h).
WITH enrolled AS (
  SELECT e.kommunkod, e.start_date, e.completion_date, p.registration_date
    FROM enrolments e JOIN participants p ON p.participant_id = e.participant_id
   WHERE e.lanskod = $1 AND e.enrol_date BETWEEN $2::date AND $3::date
), completed AS (
  SELECT e.kommunkod, e.start_date, e.completion_date
    FROM enrolments e
   WHERE e.lanskod = $1 AND e.completion_date BETWEEN $2::date AND $3::date
), held AS (
  SELECT s.session_id, s.minutes, o.offering_id, o.language
    FROM sessions s JOIN offerings o ON o.offering_id = s.offering_id
   WHERE o.lanskod = $1 AND s.state = 'STATE_SCHEDULED'
     AND s.session_date BETWEEN $2::date AND $3::date
)
SELECT 'enrolled' AS figure, kommunkod, count(*)::bigint AS value, '' AS language
  FROM enrolled GROUP BY kommunkod
UNION ALL
SELECT 'started_within_window', kommunkod, count(*), ''
  FROM enrolled
 WHERE start_date IS NOT NULL AND start_date - registration_date <= $4::int
 GROUP BY kommunkod
UNION ALL
SELECT 'completed', kommunkod, count(*), '' FROM completed GROUP BY kommunkod
UNION ALL
SELECT 'completed_within_one_year', kommunkod, count(*), ''
  FROM completed
 WHERE completion_date <= start_date + interval '1 year'
 GROUP BY kommunkod
UNION ALL
SELECT 'minutes_offered', k.kommunkod, sum(h.minutes)::bigint, ''
  FROM held h JOIN offering_kommuner k ON k.offering_id = h.offering_id
 GROUP BY k.kommunkod
UNION ALL
SELECT DISTINCT 'language', k.kommunkod, 0::bigint, h.language
  FROM held h JOIN offering_kommuner k ON k.offering_id = h.offering_id
UNION ALL
SELECT 'minutes_offered', '', coalesce(sum(h.minutes), 0)::bigint, '' FROM held h
UNION ALL
SELECT DISTINCT 'language', '', 0::bigint, h.language FROM held h
