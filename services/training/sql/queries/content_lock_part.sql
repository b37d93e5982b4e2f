-- Locks a part for an update; its current revision (the etag source) and whether it is
-- archived.
SELECT revision, archive_time IS NOT NULL AS archived FROM parts WHERE part_id = $1 FOR UPDATE
