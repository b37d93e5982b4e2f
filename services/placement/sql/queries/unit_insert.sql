-- Adds a unit of kommun $1 (county $2); $8, $9: sexes and languages comma-separated;
-- $11: now (µs). Its id.
INSERT INTO units (kommunkod, lanskod, display_name, type, places, min_age, max_age, sexes,
                   languages, special_reason, create_time, update_time)
VALUES ($1, $2, $3, $4, $5, $6, $7, string_to_array($8, ','), string_to_array($9, ','), $10,
        timestamptz 'epoch' + $11::bigint * interval '1 microsecond',
        timestamptz 'epoch' + $11::bigint * interval '1 microsecond')
RETURNING unit_id
