-- Records participants $2 (comma-separated ids) as present at session $1 and marks it recorded.
WITH present AS (
  INSERT INTO attendance (session_id, participant_id)
  SELECT $1, unnest(string_to_array($2, ',')::bigint[])
  RETURNING 1
)
UPDATE sessions SET attendance_recorded = true
 WHERE session_id = $1 AND (SELECT count(*) FROM present) >= 0
