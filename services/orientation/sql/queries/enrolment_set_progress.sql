-- Stores enrolment $1's progress: state $2, start $3 and completion $4 ('YYYY-MM-DD', '' = none),
-- at $5 (µs); its revision moves on.
UPDATE enrolments
   SET state = $2, start_date = NULLIF($3, '')::date, completion_date = NULLIF($4, '')::date,
       update_time = timestamptz 'epoch' + $5::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE enrolment_id = $1
