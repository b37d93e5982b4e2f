-- The grant report figures of organisation $1's activities funded by application $2:
-- participants by sex who attended, minutes, activities, sessions held.
WITH funded AS (
  SELECT activity_id FROM activities WHERE orgnr = $1 AND funding_application = $2
), held AS (
  SELECT s.session_id, s.duration_minutes
    FROM sessions s JOIN funded f ON f.activity_id = s.activity_id
   WHERE s.attendance_recorded
), present AS (
  SELECT DISTINCT a.participant_id FROM attendance a JOIN held h ON h.session_id = a.session_id
)
SELECT (SELECT count(*) FROM funded) AS activities,
       (SELECT count(*) FROM held) AS sessions,
       (SELECT coalesce(sum(h.duration_minutes), 0) FROM attendance a
          JOIN held h ON h.session_id = a.session_id)::bigint AS minutes,
       (SELECT count(*) FROM present x JOIN participants p USING (participant_id)
         WHERE p.sex = 'SEX_FEMALE') AS women,
       (SELECT count(*) FROM present x JOIN participants p USING (participant_id)
         WHERE p.sex = 'SEX_MALE') AS men,
       (SELECT count(*) FROM present x JOIN participants p USING (participant_id)
         WHERE p.sex = 'SEX_OTHER') AS other
