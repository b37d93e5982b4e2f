-- Sets kommun $3's share of key ($1, $2) to $4 per mille, adding the kommun when it had none.
INSERT INTO allocation_key_shares (lanskod, year, kommunkod, per_mille)
VALUES ($1, $2, $3, $4)
ON CONFLICT (lanskod, year, kommunkod) DO UPDATE SET per_mille = EXCLUDED.per_mille
