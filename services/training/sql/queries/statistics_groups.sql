-- Key figures by organisation type, by kommun, by month (Europe/Stockholm) and in total, in one
-- pass: every enrolment, submitted attempt and valid diploma is an event of its learner, counted
-- in the month it happened. $1: länskod or '' for every län; $2, $3: first and last day
-- ('YYYY-MM-DD', Swedish dates) or '' for an open end.
WITH scope AS (
  SELECT learner_id, organisation_type, kommunkod, enrol_time
  FROM learners
  WHERE $1::text = '' OR lanskod = $1::text
),
events AS (
  SELECT s.organisation_type, s.kommunkod, s.enrol_time AS at,
         1 AS enrolments, 0 AS attempts, 0 AS passed, 0 AS course, 0 AS part
  FROM scope s
  UNION ALL
  SELECT s.organisation_type, s.kommunkod, a.submit_time,
         0, 1, CASE WHEN a.passed THEN 1 ELSE 0 END, 0, 0
  FROM scope s JOIN attempts a ON a.learner_id = s.learner_id
  WHERE a.state = 'SUBMITTED' AND a.submit_time IS NOT NULL
  UNION ALL
  SELECT s.organisation_type, s.kommunkod, d.issue_time,
         0, 0, 0, CASE WHEN d.kind = 'COURSE' THEN 1 ELSE 0 END,
         CASE WHEN d.kind = 'PART' THEN 1 ELSE 0 END
  FROM scope s JOIN diplomas d ON d.learner_id = s.learner_id
  WHERE d.state = 'VALID'
),
swedish AS (
  SELECT organisation_type, kommunkod::text AS kommunkod,
         (at AT TIME ZONE 'Europe/Stockholm') AS local_at,
         enrolments, attempts, passed, course, part
  FROM events
),
selected AS (
  SELECT organisation_type, kommunkod, to_char(local_at, 'YYYY-MM') AS month,
         enrolments, attempts, passed, course, part
  FROM swedish
  WHERE local_at::date >= coalesce(NULLIF($2::text, '')::date, '-infinity'::date)
    AND local_at::date <= coalesce(NULLIF($3::text, '')::date, 'infinity'::date)
)
SELECT GROUPING(organisation_type) AS all_types, GROUPING(kommunkod) AS all_kommuner,
       GROUPING(month) AS all_months,
       coalesce(organisation_type, '') AS organisation_type, coalesce(kommunkod, '') AS kommunkod,
       coalesce(month, '') AS month,
       coalesce(sum(enrolments), 0) AS enrolments, coalesce(sum(attempts), 0) AS attempts,
       coalesce(sum(passed), 0) AS passed_attempts, coalesce(sum(course), 0) AS course_diplomas,
       coalesce(sum(part), 0) AS part_certificates
FROM selected
GROUP BY GROUPING SETS ((), (organisation_type), (kommunkod), (month))
ORDER BY 1, 2, 3, 4, 5, 6
