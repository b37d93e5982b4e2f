-- One call. Columns (records.cc CallFromRow): id, programme, lanskod, title, description, open
-- and close time (µs), budget, max per application, funding start and end (YYYY-MM-DD),
-- criteria, stored state, approved total, create and update time (µs), revision.
SELECT call_id, programme_id, lanskod, title, description,
       (extract(epoch FROM open_time) * 1000000)::bigint,
       (extract(epoch FROM close_time) * 1000000)::bigint,
       budget_ore, max_per_application_ore, funding_start::text, funding_end::text, criteria,
       state, approved_total_ore,
       (extract(epoch FROM create_time) * 1000000)::bigint,
       (extract(epoch FROM update_time) * 1000000)::bigint,
       revision
  FROM calls
 WHERE call_id = $1::bigint
