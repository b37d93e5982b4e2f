-- Moves quota ($1, $2) to revision $3 with county number $4 and state $5 at $7 (µs); $6 the
-- decision's revision, or NULL to keep the last decision.
UPDATE settlement_quotas
   SET revision = $3, county_number = $4, state = $5,
       decision_revision = coalesce($6::integer, decision_revision),
       update_time = timestamptz 'epoch' + $7::bigint * interval '1 microsecond'
 WHERE lanskod = $1 AND year = $2
