-- Adds an activity of organisation $1 in county $2, kommun $3: type $4, title $5, period $6..$7,
-- plan $8 sessions / $9 hours, funded by application $10 ($11, decision period $12..$13,
-- confirmed at $14 µs); $15: now (µs). Its id.
INSERT INTO activities (orgnr, lanskod, kommunkod, type, display_name, period_start, period_end,
                        planned_sessions, planned_hours, funding_application,
                        funding_diarienummer, funding_start, funding_end, funding_check_time,
                        create_time, update_time)
VALUES ($1, $2, $3, $4, $5, $6::date, $7::date, $8, $9, $10, $11, $12::date, $13::date,
        timestamptz 'epoch' + $14::bigint * interval '1 microsecond',
        timestamptz 'epoch' + $15::bigint * interval '1 microsecond',
        timestamptz 'epoch' + $15::bigint * interval '1 microsecond')
RETURNING activity_id
