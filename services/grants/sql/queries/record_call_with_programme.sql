-- One call and its programme in one round trip: the columns of record_call_get.sql, then those
-- of record_programme_get.sql (records.cc CallFromRow and ProgrammeFromRow on the two slices).
SELECT c.call_id, c.programme_id, c.lanskod, c.title, c.description,
       (extract(epoch FROM c.open_time) * 1000000)::bigint,
       (extract(epoch FROM c.close_time) * 1000000)::bigint,
       c.budget_ore, c.max_per_application_ore, c.funding_start::text, c.funding_end::text,
       c.criteria, c.state, c.approved_total_ore,
       (extract(epoch FROM c.create_time) * 1000000)::bigint,
       (extract(epoch FROM c.update_time) * 1000000)::bigint,
       c.revision,
       p.programme_id, p.display_name, p.legal_basis, p.description,
       array_to_string(p.eligible_types, ','), p.required_reports,
       (extract(epoch FROM p.create_time) * 1000000)::bigint,
       (extract(epoch FROM p.update_time) * 1000000)::bigint,
       p.revision
  FROM calls c
  JOIN programmes p ON p.programme_id = c.programme_id
 WHERE c.call_id = $1::bigint
