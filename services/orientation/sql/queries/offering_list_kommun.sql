-- A page of the offerings kommun $1 takes part in, by id after $2, at most $3. Columns as
-- offering_get.sql.
SELECT o.offering_id, o.lanskod, o.display_name, o.language, o.communicator,
       to_char(o.start_date, 'YYYY-MM-DD') AS start_date,
       to_char(o.end_date, 'YYYY-MM-DD') AS end_date, o.capacity, o.revision,
       (SELECT string_agg(k.kommunkod, ',' ORDER BY k.kommunkod) FROM offering_kommuner k
         WHERE k.offering_id = o.offering_id) AS kommunkoder,
       (SELECT coalesce(sum(s.minutes), 0) FROM sessions s
         WHERE s.offering_id = o.offering_id AND s.state = 'STATE_SCHEDULED')::bigint AS minutes_offered,
       (SELECT count(*) FROM enrolments e WHERE e.offering_id = o.offering_id) AS enrolled,
       (extract(epoch FROM o.create_time) * 1000000)::bigint AS create_us,
       (extract(epoch FROM o.update_time) * 1000000)::bigint AS update_us
  FROM offerings o
 WHERE o.offering_id > $2
   AND EXISTS (SELECT 1 FROM offering_kommuner k
                WHERE k.offering_id = o.offering_id AND k.kommunkod = $1)
 ORDER BY o.offering_id
 LIMIT $3::int
