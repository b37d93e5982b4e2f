-- Submitted and passed attempts per module, for the published modules and any other module
-- with attempts, in course order. Parameters as in statistics_groups.
WITH counted AS (
  SELECT a.part_id, a.module_id, count(*) AS attempts, count(*) FILTER (WHERE a.passed) AS passed
  FROM attempts a JOIN learners l ON l.learner_id = a.learner_id
  WHERE a.state = 'SUBMITTED' AND a.submit_time IS NOT NULL
    AND ($1::text = '' OR l.lanskod = $1::text)
    AND (a.submit_time AT TIME ZONE 'Europe/Stockholm')::date
        >= coalesce(NULLIF($2::text, '')::date, '-infinity'::date)
    AND (a.submit_time AT TIME ZONE 'Europe/Stockholm')::date
        <= coalesce(NULLIF($3::text, '')::date, 'infinity'::date)
  GROUP BY a.part_id, a.module_id
)
SELECT m.part_id, m.module_id, m.title, coalesce(c.attempts, 0) AS attempts,
       coalesce(c.passed, 0) AS passed_attempts
FROM modules m
JOIN parts p ON p.part_id = m.part_id
LEFT JOIN counted c ON c.part_id = m.part_id AND c.module_id = m.module_id
WHERE m.state = 'PUBLISHED' OR c.attempts IS NOT NULL
ORDER BY p.position, m.position, m.part_id, m.module_id
