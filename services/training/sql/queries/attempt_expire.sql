-- Marks an attempt that was not submitted in time.
UPDATE attempts SET state = 'EXPIRED' WHERE attempt_id = $1::bigint AND state = 'IN_PROGRESS'
