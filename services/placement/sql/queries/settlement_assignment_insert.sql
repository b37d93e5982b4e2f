-- A new assignment: household $1, county $2, kommun $3, persons $4, assignment date $5, due
-- date $6, at $7 (µs); nothing when the household was reported already (it waits for a
-- concurrent report of the same household and then finds it).
INSERT INTO settlement_assignments (household_reference, lanskod, kommunkod, persons,
                                    assignment_date, due_date, create_time, update_time)
VALUES ($1, $2, $3, $4, $5::date, $6::date,
        timestamptz 'epoch' + $7::bigint * interval '1 microsecond',
        timestamptz 'epoch' + $7::bigint * interval '1 microsecond')
ON CONFLICT ON CONSTRAINT settlement_assignments_household_key DO NOTHING
RETURNING assignment_id
