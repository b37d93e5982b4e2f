-- A new quota ($1, $2) with county number $3 as revision 1 at $4 (µs); nothing when it exists
-- (ON CONFLICT: a concurrent first setting waits and finds it).
INSERT INTO settlement_quotas (lanskod, year, county_number, state, revision, create_time,
                               update_time)
VALUES ($1, $2, $3, 'COUNTY_NUMBER_SET', 1,
        timestamptz 'epoch' + $4::bigint * interval '1 microsecond',
        timestamptz 'epoch' + $4::bigint * interval '1 microsecond')
ON CONFLICT (lanskod, year) DO NOTHING
RETURNING revision
