-- Locks a child's row ($1) for a change; its revision, county and sibling group.
SELECT revision, lanskod, sibling_group FROM children WHERE child_id = $1 FOR UPDATE
