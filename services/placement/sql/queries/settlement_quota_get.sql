-- Quota ($1, $2) with its latest kommun numbers decision (settlement_repository.cc QuotaFromRow).
SELECT q.lanskod, q.year, q.county_number, q.state, q.revision,
       coalesce(d.kommun_numbers, '') AS kommun_numbers, coalesce(d.basis, '') AS basis,
       (extract(epoch FROM q.create_time) * 1000000)::bigint AS create_us,
       (extract(epoch FROM q.update_time) * 1000000)::bigint AS update_us
  FROM settlement_quotas q
  LEFT JOIN settlement_quota_revisions d
    ON d.lanskod = q.lanskod AND d.year = q.year AND d.revision = q.decision_revision
 WHERE q.lanskod = $1 AND q.year = $2
