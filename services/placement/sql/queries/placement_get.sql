-- Placement $2 of child $1 (placement_repository.cc PlacementFromRow).
SELECT p.placement_id, p.child_id, p.unit_id, u.kommunkod, p.state, p.sibling_override_reason,
       p.end_reason, p.revision,
       (extract(epoch FROM p.propose_time) * 1000000)::bigint AS propose_us,
       (extract(epoch FROM p.confirm_time) * 1000000)::bigint AS confirm_us,
       (extract(epoch FROM p.start_time) * 1000000)::bigint AS start_us,
       (extract(epoch FROM p.end_time) * 1000000)::bigint AS end_us
  FROM placements p JOIN units u USING (unit_id)
 WHERE p.child_id = $1 AND p.placement_id = $2
