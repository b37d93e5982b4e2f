-- Locks a module for a change: its revision, state and current quiz version (NULL if none).
SELECT revision, state, quiz_version FROM modules
 WHERE part_id = $1 AND module_id = $2
   FOR UPDATE
