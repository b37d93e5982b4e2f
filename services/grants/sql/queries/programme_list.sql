-- A page of programmes by id after $1 (keyset), at most $2 rows. Columns as
-- record_programme_get.sql (records.cc ProgrammeFromRow).
SELECT programme_id, display_name, legal_basis, description,
       array_to_string(eligible_types, ','), required_reports,
       (extract(epoch FROM create_time) * 1000000)::bigint,
       (extract(epoch FROM update_time) * 1000000)::bigint,
       revision
  FROM programmes
 WHERE programme_id > $1
 ORDER BY programme_id
 LIMIT $2::int
