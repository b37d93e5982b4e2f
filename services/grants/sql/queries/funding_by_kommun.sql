-- The approved decisions (APPROVED or PARTIALLY_APPROVED) of the applicant with kommunkod $1
-- in programme $2 whose project period overlaps [$3, $4] (YYYY-MM-DD, inclusive), limited
-- to the calls of county $5 unless it is ''. Earliest start first. Columns
-- (funding_repository.cc reads them by name): call_id, application_id, diarienummer (or ''),
-- programme_id, period_start, period_end, approved_ore, paid_ore, lanskod.
SELECT a.call_id, a.application_id, coalesce(a.diarienummer, '') AS diarienummer,
       c.programme_id, a.period_start, a.period_end, a.approved_ore, a.paid_ore, a.lanskod
  FROM applications a
  JOIN calls c ON c.call_id = a.call_id
 WHERE a.applicant_kommunkod = $1::char(4)
   AND c.programme_id = $2::text
   AND a.state = 'DECIDED'
   AND a.decision_outcome IN ('APPROVED', 'PARTIALLY_APPROVED')
   AND a.period_start <= $4::date
   AND a.period_end >= $3::date
   AND ($5::text = '' OR a.lanskod = $5::text)
 ORDER BY a.period_start, a.application_id
