-- Kommun $2 takes part in offering $1.
INSERT INTO offering_kommuner (offering_id, kommunkod) VALUES ($1, $2)
