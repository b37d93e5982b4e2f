-- Locks a programme row for an update and returns its revision (the etag).
SELECT revision FROM programmes WHERE programme_id = $1 FOR UPDATE
