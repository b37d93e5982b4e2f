-- A page of quota ($1, $2)'s revisions after revision $3, at most $4 (settlement_repository.cc
-- RevisionFromRow).
SELECT lanskod, year, revision, kind, county_number, kommun_numbers, basis, reason, actor,
       (extract(epoch FROM create_time) * 1000000)::bigint AS create_us
  FROM settlement_quota_revisions
 WHERE lanskod = $1 AND year = $2 AND revision > $3
 ORDER BY revision
 LIMIT $4::int
