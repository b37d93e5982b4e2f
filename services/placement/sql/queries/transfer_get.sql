-- Transfer $3 of key ($1, $2) (allocation_key_repository.cc TransferFromRow).
SELECT transfer_id, lanskod, year, from_kommunkod, to_kommunkod, per_mille, agreement, state,
       (extract(epoch FROM create_time) * 1000000)::bigint AS create_us,
       (extract(epoch FROM decide_time) * 1000000)::bigint AS decide_us
  FROM share_transfers
 WHERE lanskod = $1 AND year = $2 AND transfer_id = $3
