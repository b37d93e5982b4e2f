-- Session $1 → CANCELLED with reason $2; its revision moves on.
UPDATE sessions SET state = 'STATE_CANCELLED', cancel_reason = $2, revision = revision + 1
 WHERE session_id = $1
