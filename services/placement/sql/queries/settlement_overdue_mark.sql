-- Marks every assignment not received whose due date is before day $1 and whose overdue event
-- was not raised, at $2 (µs), at most $3 of them; the marked rows. The WHERE is re-checked on
-- rows another transaction changed meanwhile, so a row is marked by one transaction only.
UPDATE settlement_assignments
   SET overdue_raise_time = timestamptz 'epoch' + $2::bigint * interval '1 microsecond'
 WHERE assignment_id IN (
         SELECT assignment_id FROM settlement_assignments
          WHERE reception_date IS NULL AND overdue_raise_time IS NULL AND due_date < $1::date
          ORDER BY due_date, assignment_id
          LIMIT $3::int
            FOR UPDATE SKIP LOCKED)
   AND reception_date IS NULL AND overdue_raise_time IS NULL
RETURNING assignment_id, kommunkod, persons, to_char(due_date, 'YYYY-MM-DD') AS due_date
