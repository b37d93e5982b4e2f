-- A page of county $1's allocation keys, newest first, of years before $2 (keyset), at most $3.
-- Columns as allocation_key_get.sql.
SELECT k.lanskod, k.year, k.county_total_per_mille,
       to_char(k.base_date, 'YYYY-MM-DD') AS base_date,
       (extract(epoch FROM k.create_time) * 1000000)::bigint AS create_us,
       (SELECT string_agg(s.kommunkod || ':' || s.per_mille, ',' ORDER BY s.kommunkod)
          FROM allocation_key_shares s
         WHERE s.lanskod = k.lanskod AND s.year = k.year) AS shares
  FROM allocation_keys k
 WHERE k.lanskod = $1 AND k.year < $2
 ORDER BY k.year DESC
 LIMIT $3::int
