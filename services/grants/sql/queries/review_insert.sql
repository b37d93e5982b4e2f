-- A review: application, reviewer, scores (serialized Review holding only scores), comment,
-- weighted score in thousandths, create time (µs). Returns the review id. The unique
-- constraint reviews_one_per_officer keeps one review per officer even without the caller's
-- check.
INSERT INTO reviews (application_id, reviewer, scores, comment, weighted_score_milli, create_time)
VALUES ($1::bigint, $2, $3::bytea, $4, $5::integer,
        timestamptz 'epoch' + $6::bigint * interval '1 microsecond')
RETURNING review_id
