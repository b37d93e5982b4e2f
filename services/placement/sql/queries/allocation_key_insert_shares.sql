-- The shares of key ($1, $2): kommunkoder $3 and their per mille $4, both comma-separated in
-- the same order.
INSERT INTO allocation_key_shares (lanskod, year, kommunkod, per_mille)
SELECT $1, $2, s.kommunkod, s.per_mille::integer
  FROM unnest(string_to_array($3, ','), string_to_array($4, ',')) AS s (kommunkod, per_mille)
