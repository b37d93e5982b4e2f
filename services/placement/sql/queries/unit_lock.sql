-- Locks unit $1 (confirmations and updates of its places wait for each other); its kommun,
-- revision and places.
SELECT kommunkod, revision, places FROM units WHERE unit_id = $1 FOR UPDATE
