-- Locks transfer $3 of key ($1, $2); its state.
SELECT state FROM share_transfers
 WHERE lanskod = $1 AND year = $2 AND transfer_id = $3
   FOR UPDATE
