-- A page of children by id after $4 (keyset), at most $5: of county $1 ('' = any), assigned to
-- kommun $2 ('' = any), in state $3 ('' = any). Columns as child_get.sql.
SELECT child_id, dossier_hash, dossier_cipher, to_char(birth_date, 'YYYY-MM-DD') AS birth_date,
       assessed_age, sex, array_to_string(languages, ',') AS languages, needs, sibling_group,
       strong_link_kommunkod, arrival_kommunkod, to_char(arrival_date, 'YYYY-MM-DD') AS arrival_date,
       lanskod, state, kommunkod, assignment_basis,
       (extract(epoch FROM assign_time) * 1000000)::bigint AS assign_us, explanation, revision,
       (extract(epoch FROM create_time) * 1000000)::bigint AS create_us,
       (extract(epoch FROM update_time) * 1000000)::bigint AS update_us
  FROM children
 WHERE ($1 = '' OR lanskod = $1)
   AND ($2 = '' OR kommunkod = $2)
   AND ($3 = '' OR state = $3)
   AND child_id > $4
 ORDER BY child_id
 LIMIT $5::int
