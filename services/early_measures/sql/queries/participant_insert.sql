-- Registers a participant of organisation $1: LMA key $2, sex $3, birth year $4; $5 now (µs).
-- Its id, or nothing when the organisation has it already (a concurrent registration).
INSERT INTO participants (orgnr, lma_key, sex, birth_year, create_time)
VALUES ($1, $2, $3, $4, timestamptz 'epoch' + $5::bigint * interval '1 microsecond')
ON CONFLICT (orgnr, lma_key) DO NOTHING
RETURNING participant_id
