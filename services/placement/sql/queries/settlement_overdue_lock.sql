-- The overdue check's transaction-scoped advisory lock (key $1): true for the one replica that
-- runs the check now, false for the others, which skip this round.
SELECT pg_try_advisory_xact_lock($1::bigint) AS locked
