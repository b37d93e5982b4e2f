-- One call ($1 its id) and its programme in one round trip (what a new application is checked
-- against): the columns of programme_row, then from call_id on those of call_row. Names both
-- views share (description, revision, ...) are read from the call's part as a row slice that
-- starts at call_id (call_repository.cc). The eligible types are those the call took over when
-- it opened (migration 0004), the programme's own while it is a draft.
SELECT p.programme_id, p.display_name, p.legal_basis, p.description,
       COALESCE(array_to_string(k.eligible_types, ','), p.eligible_types_list)
         AS eligible_types_list,
       p.required_reports, p.create_micros, p.update_micros, p.revision, p.lanskod,
       c.*
  FROM call_row c
  JOIN calls k ON k.call_id = c.call_id
  JOIN programme_row p ON p.programme_id = c.programme_id
 WHERE c.call_id = $1::bigint
