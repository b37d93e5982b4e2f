-- The assignment of household reference $1.
SELECT assignment_id FROM settlement_assignments WHERE household_reference = $1
