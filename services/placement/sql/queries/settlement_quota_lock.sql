-- Locks quota ($1, $2) for a revision; its county number and revision.
SELECT county_number, revision FROM settlement_quotas WHERE lanskod = $1 AND year = $2 FOR UPDATE
