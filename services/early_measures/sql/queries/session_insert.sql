-- Adds a session of activity $1 on day $2 of $3 minutes; $4 now (µs). Its id.
INSERT INTO sessions (activity_id, session_date, duration_minutes, create_time)
VALUES ($1, $2::date, $3, timestamptz 'epoch' + $4::bigint * interval '1 microsecond')
RETURNING session_id
