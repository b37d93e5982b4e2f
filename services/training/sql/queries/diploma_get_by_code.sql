-- A diploma by its code alone (public verification); columns of diploma_row.
SELECT * FROM diploma_row WHERE code = $1
