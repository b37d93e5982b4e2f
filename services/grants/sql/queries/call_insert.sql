-- Creates a DRAFT call. $5/$6 open and close time (µs); $9/$10 funding period (YYYY-MM-DD);
-- $11 serialized Call holding only criteria; $12 now (µs).
INSERT INTO calls (programme_id, lanskod, title, description, open_time, close_time,
                   budget_ore, max_per_application_ore, funding_start, funding_end, criteria,
                   state, create_time, update_time)
VALUES ($1, $2, $3, $4,
        timestamptz 'epoch' + $5::bigint * interval '1 microsecond',
        timestamptz 'epoch' + $6::bigint * interval '1 microsecond',
        $7::bigint, $8::bigint, $9::date, $10::date, $11, 'DRAFT',
        timestamptz 'epoch' + $12::bigint * interval '1 microsecond',
        timestamptz 'epoch' + $12::bigint * interval '1 microsecond')
RETURNING call_id
