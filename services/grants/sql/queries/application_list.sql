-- A page of applications, oldest first (keyset on application_id after $2), at most $7 rows.
-- $1 the call (0 = every call); $3 stored state ('' = any); $4 applicant kommunkod ('' = any).
-- Whose view ($5/$6): 'lan' — applications of calls in county $6; 'kommun' — kommun $6 as
-- applicant or co-applicant; 'orgnr' — organisation $6 as applicant. Columns of application_row
-- (application_repository.cc ApplicationFromRow).
SELECT *
  FROM application_row
 WHERE ($1::bigint = 0 OR call_id = $1::bigint)
   AND application_id > $2::bigint
   AND ($3 = '' OR state = $3)
   AND ($4 = '' OR applicant_kommunkod::text = $4)
   AND CASE $5
         WHEN 'lan' THEN lanskod::text = $6
         WHEN 'kommun' THEN applicant_kommunkod::text = $6
                            OR $6 = ANY (co_applicant_kommuner)
         WHEN 'orgnr' THEN applicant_orgnr = $6
         ELSE false
       END
 ORDER BY application_id
 LIMIT $7::int
