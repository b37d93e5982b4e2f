-- Locks key ($1, $2) while its shares change; its county total.
SELECT county_total_per_mille FROM allocation_keys WHERE lanskod = $1 AND year = $2 FOR UPDATE
