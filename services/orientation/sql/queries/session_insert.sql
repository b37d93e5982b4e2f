-- Adds a session of offering $1 on $2 ('YYYY-MM-DD') lasting $3 minutes, at $4 (µs). Its id.
INSERT INTO sessions (offering_id, session_date, minutes, state, create_time)
VALUES ($1, $2::date, $3, 'STATE_SCHEDULED', timestamptz 'epoch' + $4::bigint * interval '1 microsecond')
RETURNING session_id
