-- Adds an offering of county $1: title $2, language $3, communicator $4, period $5-$6
-- ('YYYY-MM-DD'), capacity $7, at $8 (µs). Its id.
INSERT INTO offerings (lanskod, display_name, language, communicator, start_date, end_date,
                       capacity, create_time, update_time)
VALUES ($1, $2, $3, $4, $5::date, $6::date, $7,
        timestamptz 'epoch' + $8::bigint * interval '1 microsecond',
        timestamptz 'epoch' + $8::bigint * interval '1 microsecond')
RETURNING offering_id
