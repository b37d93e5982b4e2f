-- Removes the attendance of session $1 before it is recorded again.
DELETE FROM attendance WHERE session_id = $1
