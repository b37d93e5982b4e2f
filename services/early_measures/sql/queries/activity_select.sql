-- Activity $1 (activity_repository.cc ActivityFromRow).
SELECT a.activity_id, a.orgnr, a.lanskod, a.kommunkod, a.type, a.display_name,
       to_char(a.period_start, 'YYYY-MM-DD') AS period_start,
       to_char(a.period_end, 'YYYY-MM-DD') AS period_end,
       a.planned_sessions, a.planned_hours, a.funding_application, a.funding_diarienummer,
       to_char(a.funding_start, 'YYYY-MM-DD') AS funding_start,
       to_char(a.funding_end, 'YYYY-MM-DD') AS funding_end,
       (extract(epoch FROM a.funding_check_time) * 1000000)::bigint AS check_us,
       a.revision,
       (SELECT count(*) FROM sessions s
         WHERE s.activity_id = a.activity_id AND s.attendance_recorded) AS sessions_held,
       (extract(epoch FROM a.create_time) * 1000000)::bigint AS create_us,
       (extract(epoch FROM a.update_time) * 1000000)::bigint AS update_us
  FROM activities a
 WHERE a.activity_id = $1
