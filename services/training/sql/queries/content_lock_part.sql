-- Locks a part for an update; its current revision (the etag source).
SELECT revision FROM parts WHERE part_id = $1 FOR UPDATE
