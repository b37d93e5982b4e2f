-- Locks activity $1 against changes while sessions are added to it: its organisation and
-- revision. A share lock: additions to one activity do not wait for each other, only for (and
-- hold off) a change of the activity itself, which takes activity_lock.
SELECT orgnr, revision FROM activities WHERE activity_id = $1 FOR SHARE
