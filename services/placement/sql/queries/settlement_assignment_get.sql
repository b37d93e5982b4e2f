-- Assignment $1 (settlement_repository.cc AssignmentFromRow).
SELECT assignment_id, household_reference, lanskod, kommunkod, persons,
       to_char(assignment_date, 'YYYY-MM-DD') AS assignment_date,
       to_char(due_date, 'YYYY-MM-DD') AS due_date,
       coalesce(to_char(reception_date, 'YYYY-MM-DD'), '') AS reception_date, revision,
       (extract(epoch FROM create_time) * 1000000)::bigint AS create_us,
       (extract(epoch FROM update_time) * 1000000)::bigint AS update_us
  FROM settlement_assignments
 WHERE assignment_id = $1
