-- Locks session $1 (cancellation and attendance wait for each other); its offering, state,
-- revision and the attendance recorded for it.
SELECT s.offering_id, s.state, s.revision,
       (SELECT count(*) FROM attendance a WHERE a.session_id = s.session_id) AS attendance
  FROM sessions s
 WHERE s.session_id = $1
   FOR UPDATE
