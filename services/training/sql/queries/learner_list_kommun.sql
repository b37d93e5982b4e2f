-- Learners of kommun $6 in län $1 by enrolment time and id, after the key ($3 µs, $4) when $2
-- (else from the start), at most $5, in the columns of learner_row. The bound is always
-- applied, so that even a generic plan walks learners_kommun_idx from the key instead of
-- filtering the kommun from its start.
SELECT *
  FROM learner_row l
 WHERE l.kommunkod = $6
   AND l.lanskod = $1
   AND (l.enrol_time, l.learner_id)
       > (CASE WHEN $2::boolean THEN timestamptz 'epoch' + $3::bigint * interval '1 microsecond'
               ELSE timestamptz '-infinity' END,
          $4::text)
 ORDER BY l.enrol_time, l.learner_id
 LIMIT $5::integer
