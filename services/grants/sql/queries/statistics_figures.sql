-- The key figures of the applications (submitted or further: not drafts, not withdrawn) of
-- the calls of county $1, limited to call $2 unless 0, to programme $3 unless '', and to calls
-- opening (Europe/Stockholm) in year $4 unless 0: one row per applicant kommun (organisations
-- under '') and one grand total row. Sums are numeric as text (statistics_repository.cc reads
-- them into int64 öre and reports an overflow). Columns by name: is_total (1 for the total
-- row), kommunkod, applications, requested_ore, approved_ore, paid_ore, reclaimed_ore (reclaims
-- RAISED or SETTLED), approved_applications.
WITH scoped AS (
  SELECT a.application_id, coalesce(a.applicant_kommunkod, '') AS kommunkod,
         a.requested_ore, a.approved_ore, a.paid_ore,
         (a.state = 'DECIDED' AND a.decision_outcome IN ('APPROVED', 'PARTIALLY_APPROVED'))
           AS approved
    FROM applications a
    JOIN calls c ON c.call_id = a.call_id
   WHERE c.lanskod = $1::char(2)
     AND a.state IN ('SUBMITTED', 'UNDER_REVIEW', 'DECIDED')
     AND ($2::bigint = 0 OR c.call_id = $2::bigint)
     AND ($3::text = '' OR c.programme_id = $3::text)
     AND ($4::integer = 0
          OR extract(year FROM c.open_time AT TIME ZONE 'Europe/Stockholm') = $4::integer)
), reclaimed AS (
  SELECT r.application_id, sum(r.amount_ore) AS amount
    FROM reclaims r
    JOIN scoped s ON s.application_id = r.application_id
   WHERE r.state IN ('RAISED', 'SETTLED')
   GROUP BY r.application_id
)
SELECT GROUPING(s.kommunkod) AS is_total, coalesce(s.kommunkod, '') AS kommunkod,
       count(s.application_id) AS applications,
       coalesce(sum(s.requested_ore), 0)::text AS requested_ore,
       coalesce(sum(s.approved_ore), 0)::text AS approved_ore,
       coalesce(sum(s.paid_ore), 0)::text AS paid_ore,
       coalesce(sum(rc.amount), 0)::text AS reclaimed_ore,
       count(*) FILTER (WHERE s.approved) AS approved_applications
  FROM scoped s
  LEFT JOIN reclaimed rc ON rc.application_id = s.application_id
 GROUP BY GROUPING SETS ((s.kommunkod), ())
 ORDER BY GROUPING(s.kommunkod), s.kommunkod
