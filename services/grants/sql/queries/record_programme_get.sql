-- One programme. Columns (records.cc ProgrammeFromRow): id, display_name, legal_basis,
-- description, eligible types as comma-separated enum names, required_reports, create and
-- update time (µs), revision.
SELECT programme_id, display_name, legal_basis, description,
       array_to_string(eligible_types, ','), required_reports,
       (extract(epoch FROM create_time) * 1000000)::bigint,
       (extract(epoch FROM update_time) * 1000000)::bigint,
       revision
  FROM programmes
 WHERE programme_id = $1
