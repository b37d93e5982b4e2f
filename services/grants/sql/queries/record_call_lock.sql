-- Takes a call's row lock (state and budget changes, before reading it with record_call_get);
-- no row when it does not exist.
SELECT call_id FROM calls WHERE call_id = $1::bigint FOR UPDATE
