-- Reports a child, WAITING; no row comes back when its dossier number was reported already.
-- $3: birth date 'YYYY-MM-DD' or ''; $4: assessed age or ''; $6: languages, comma-separated;
-- $13: now (µs).
INSERT INTO children (dossier_hash, dossier_cipher, birth_date, assessed_age, sex, languages,
                      needs, sibling_group, strong_link_kommunkod, arrival_kommunkod,
                      arrival_date, lanskod, state, create_time, update_time)
VALUES ($1, $2, NULLIF($3, '')::date, NULLIF($4, '')::integer, $5, string_to_array($6, ','), $7, $8, $9, $10, $11::date,
        $12, 'WAITING',
        timestamptz 'epoch' + $13::bigint * interval '1 microsecond',
        timestamptz 'epoch' + $13::bigint * interval '1 microsecond')
ON CONFLICT ON CONSTRAINT children_dossier_hash_key DO NOTHING
RETURNING child_id
