-- Locks offering $1 (enrolments against its capacity, updates and new sessions wait for each
-- other); its county, kommuner, capacity, period and revision.
SELECT o.lanskod, o.capacity, o.revision,
       to_char(o.start_date, 'YYYY-MM-DD') AS start_date,
       to_char(o.end_date, 'YYYY-MM-DD') AS end_date,
       (SELECT string_agg(k.kommunkod, ',' ORDER BY k.kommunkod) FROM offering_kommuner k
         WHERE k.offering_id = o.offering_id) AS kommunkoder,
       (SELECT count(*) FROM enrolments e WHERE e.offering_id = o.offering_id) AS enrolled,
       (SELECT to_char(min(s.session_date), 'YYYY-MM-DD') FROM sessions s
         WHERE s.offering_id = o.offering_id) AS first_session,
       (SELECT to_char(max(s.session_date), 'YYYY-MM-DD') FROM sessions s
         WHERE s.offering_id = o.offering_id) AS last_session
  FROM offerings o
 WHERE o.offering_id = $1
   FOR UPDATE
