-- Revision $3 of quota ($1, $2): kind $4, county number $5, kommun numbers $6, basis $7,
-- reason $8, actor $9, at $10 (µs).
INSERT INTO settlement_quota_revisions (lanskod, year, revision, kind, county_number,
                                        kommun_numbers, basis, reason, actor, create_time)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
        timestamptz 'epoch' + $10::bigint * interval '1 microsecond')
