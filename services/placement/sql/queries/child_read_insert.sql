-- Logs a read of child $1 by actor $2 in role $3 for purpose $4 at $5 (µs).
INSERT INTO child_reads (child_id, actor, role, purpose, read_time)
VALUES ($1, $2, $3, $4, timestamptz 'epoch' + $5::bigint * interval '1 microsecond')
