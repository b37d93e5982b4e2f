-- A page of child $1's placements by id after $2 (keyset), at most $3. Columns as
-- placement_get.sql.
SELECT p.placement_id, p.child_id, p.unit_id, u.kommunkod, p.state, p.sibling_override_reason,
       p.end_reason, p.revision,
       (extract(epoch FROM p.propose_time) * 1000000)::bigint AS propose_us,
       (extract(epoch FROM p.confirm_time) * 1000000)::bigint AS confirm_us,
       (extract(epoch FROM p.start_time) * 1000000)::bigint AS start_us,
       (extract(epoch FROM p.end_time) * 1000000)::bigint AS end_us
  FROM placements p JOIN units u USING (unit_id)
 WHERE p.child_id = $1 AND p.placement_id > $2
 ORDER BY p.placement_id
 LIMIT $3::int
