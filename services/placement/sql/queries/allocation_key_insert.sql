-- Creates the allocation key of county $1 for year $2; no row comes back when it exists.
-- $4: base date 'YYYY-MM-DD'; $5: now (µs).
INSERT INTO allocation_keys (lanskod, year, county_total_per_mille, base_date, create_time)
VALUES ($1, $2, $3, $4::date, timestamptz 'epoch' + $5::bigint * interval '1 microsecond')
ON CONFLICT (lanskod, year) DO NOTHING
RETURNING year
