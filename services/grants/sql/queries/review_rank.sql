-- The rankable applications of call $1 (submitted, under review or decided) with their
-- reviews' count and sum of weighted scores. Columns: application_id, diarienummer (or ''),
-- applicant_name, requested_ore, state, review_count, score_sum_milli (sum of
-- weighted_score_milli).
SELECT a.application_id, coalesce(a.diarienummer, '') AS diarienummer, a.applicant_name,
       a.requested_ore, a.state, count(r.review_id) AS review_count,
       coalesce(sum(r.weighted_score_milli), 0)::bigint AS score_sum_milli
  FROM applications a
  LEFT JOIN reviews r ON r.application_id = a.application_id
 WHERE a.call_id = $1::bigint AND a.state IN ('SUBMITTED', 'UNDER_REVIEW', 'DECIDED')
 GROUP BY a.application_id
 ORDER BY a.application_id
