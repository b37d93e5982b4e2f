-- A page of child $1's access log by read id after $2 (keyset), at most $3.
SELECT read_id, actor, role, purpose,
       (extract(epoch FROM read_time) * 1000000)::bigint AS read_us
  FROM child_reads
 WHERE child_id = $1 AND read_id > $2
 ORDER BY read_id
 LIMIT $3::int
