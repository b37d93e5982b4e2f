-- An application's reviews, oldest first, after review id $2, at most $3. Columns:
-- review_id, reviewer, scores, comment, weighted_score_milli, create_micros.
SELECT review_id, reviewer, scores, comment, weighted_score_milli,
       (extract(epoch FROM create_time) * 1000000)::bigint AS create_micros
  FROM reviews
 WHERE application_id = $1::bigint AND review_id > $2::bigint
 ORDER BY review_id
 LIMIT $3::integer
