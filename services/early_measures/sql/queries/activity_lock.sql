-- Locks activity $1 for a change: its organisation and revision.
SELECT orgnr, revision FROM activities WHERE activity_id = $1 FOR UPDATE
