-- Proposes placing child $1 in unit $2 (sibling override reason $3) at $4 (µs); its id, or no
-- row when the child has an open placement already.
INSERT INTO placements (child_id, unit_id, state, sibling_override_reason, propose_time)
VALUES ($1, $2, 'PROPOSED', $3, timestamptz 'epoch' + $4::bigint * interval '1 microsecond')
ON CONFLICT (child_id) WHERE state <> 'ENDED' DO NOTHING
RETURNING placement_id
