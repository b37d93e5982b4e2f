-- Who owns a programme, and the eligibility rules a call applies.
-- A programme is national (lanskod NULL: changed only by a county admin holding the national
-- scope) or owned by one county (changed by that county's admin, and only its calls use it).
-- Existing programmes are national. A call applies the eligibility rules of its programme as
-- they were when it opened (calls.eligible_types, NULL while a draft): a later change to the
-- programme applies to calls opened after it, never to applications of a call already open.
ALTER TABLE programmes ADD COLUMN lanskod char(2) CHECK (lanskod ~ '^[0-9]{2}$');
ALTER TABLE calls ADD COLUMN eligible_types text[];
UPDATE calls c
   SET eligible_types = p.eligible_types
  FROM programmes p
 WHERE p.programme_id = c.programme_id AND c.state <> 'DRAFT';

CREATE OR REPLACE VIEW programme_row AS
SELECT p.programme_id, p.display_name, p.legal_basis, p.description,
       array_to_string(p.eligible_types, ',') AS eligible_types_list,
       p.required_reports,
       (extract(epoch FROM p.create_time) * 1000000)::bigint AS create_micros,
       (extract(epoch FROM p.update_time) * 1000000)::bigint AS update_micros,
       p.revision,
       p.lanskod
  FROM programmes p;
