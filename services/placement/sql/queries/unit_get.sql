-- Unit $1 with its occupancy (unit_repository.cc UnitFromRow).
SELECT u.unit_id, u.kommunkod, u.lanskod, u.display_name, u.type, u.places, u.min_age, u.max_age,
       array_to_string(u.sexes, ',') AS sexes, array_to_string(u.languages, ',') AS languages,
       u.special_reason, u.revision,
       (SELECT count(*) FROM placements p
         WHERE p.unit_id = u.unit_id AND p.state IN ('CONFIRMED', 'ACTIVE')) AS occupied,
       (extract(epoch FROM u.create_time) * 1000000)::bigint AS create_us,
       (extract(epoch FROM u.update_time) * 1000000)::bigint AS update_us
  FROM units u
 WHERE u.unit_id = $1
