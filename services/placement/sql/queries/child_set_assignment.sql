-- Assigns child $1 to kommun $2 (whose county, $3, now handles it) on basis $4 with the
-- serialized explanation $5 at $6 (µs), and moves its revision on.
UPDATE children
   SET state = 'ASSIGNED', kommunkod = $2, lanskod = $3, assignment_basis = $4,
       explanation = $5,
       assign_time = timestamptz 'epoch' + $6::bigint * interval '1 microsecond',
       update_time = timestamptz 'epoch' + $6::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE child_id = $1
