-- Writes activity $1's title $2, period $3..$4, plan $5 sessions / $6 hours and funding
-- ($7 application, $8 diarienummer, $9..$10 decision period, $11 µs checked); $12: now (µs).
UPDATE activities
   SET display_name = $2, period_start = $3::date, period_end = $4::date,
       planned_sessions = $5, planned_hours = $6, funding_application = $7,
       funding_diarienummer = $8, funding_start = $9::date, funding_end = $10::date,
       funding_check_time = timestamptz 'epoch' + $11::bigint * interval '1 microsecond',
       update_time = timestamptz 'epoch' + $12::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE activity_id = $1
