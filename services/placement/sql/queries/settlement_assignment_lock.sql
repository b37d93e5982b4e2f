-- Locks assignment $1 while its reception is recorded; its kommunkod.
SELECT kommunkod FROM settlement_assignments WHERE assignment_id = $1 FOR UPDATE
