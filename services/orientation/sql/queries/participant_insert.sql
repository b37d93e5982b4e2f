-- Adds a participant of kommun $1 (county $2): look-up hash $3, cipher $4, identity kind $5,
-- birth date $6, registered kommun $7, registration dates $8 and $9 ('YYYY-MM-DD'), permit $10,
-- citizenships $11 and languages $12 comma-separated, at $13 (µs). Its id, or no row when the
-- kommun has the number already.
INSERT INTO participants (kommunkod, lanskod, pnr_hash, pnr_cipher, identity_kind, birth_date,
                          registered_kommunkod, registration_date, first_registration_date,
                          permit_type, citizenships, languages, create_time)
VALUES ($1, $2, $3, $4, $5, $6::date, $7, $8::date, $9::date, $10,
        string_to_array($11, ','), string_to_array($12, ','),
        timestamptz 'epoch' + $13::bigint * interval '1 microsecond')
ON CONFLICT ON CONSTRAINT participants_kommun_pnr_key DO NOTHING
RETURNING participant_id
