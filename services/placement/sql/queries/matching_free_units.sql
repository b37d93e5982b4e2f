-- The units of county $1 with free places: places less the open (proposed, confirmed or
-- active) placements, so that proposals never count on a place another proposal holds.
SELECT u.unit_id, u.kommunkod, u.min_age, u.max_age, array_to_string(u.sexes, ',') AS sexes,
       array_to_string(u.languages, ',') AS languages,
       u.places - (SELECT count(*) FROM placements p
                    WHERE p.unit_id = u.unit_id AND p.state <> 'ENDED') AS free
  FROM units u
 WHERE u.lanskod = $1
 ORDER BY u.unit_id
