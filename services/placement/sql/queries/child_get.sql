-- A child by id ($1). The columns every child read returns (child_repository.cc ChildFromRow).
SELECT child_id, dossier_hash, dossier_cipher, to_char(birth_date, 'YYYY-MM-DD') AS birth_date,
       assessed_age, sex, array_to_string(languages, ',') AS languages, needs, sibling_group,
       strong_link_kommunkod, arrival_kommunkod, to_char(arrival_date, 'YYYY-MM-DD') AS arrival_date,
       lanskod, state, kommunkod, assignment_basis,
       (extract(epoch FROM assign_time) * 1000000)::bigint AS assign_us, explanation, revision,
       (extract(epoch FROM create_time) * 1000000)::bigint AS create_us,
       (extract(epoch FROM update_time) * 1000000)::bigint AS update_us
  FROM children
 WHERE child_id = $1
