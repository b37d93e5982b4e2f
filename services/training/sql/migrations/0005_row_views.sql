-- The read shape of each aggregate: one view per aggregate that every query reading it selects
-- from, so its column list is written once and the repositories decode rows by these names.
-- Runs with search_path = training. Naming: a column passed through keeps its table name (NULLs
-- stay NULL and the decoder says what they mean); a moment becomes `<name>_micros` (µs since the
-- epoch) and an array `<name>_list` (its elements comma-separated; ids never contain ','). Raw
-- columns that queries filter or sort on stay in the view, so the planner still uses the
-- tables' indexes through it (a plain view is inlined).

-- A part with the number of its modules, all and published only (what a caller may see).
CREATE VIEW part_row AS
SELECT p.part_id, p.title, p.description, p.position, n.module_count, n.published_module_count,
       (extract(epoch FROM p.create_time) * 1000000)::bigint AS create_micros,
       (extract(epoch FROM p.update_time) * 1000000)::bigint AS update_micros,
       p.revision
  FROM parts p
 CROSS JOIN LATERAL (
       SELECT count(*)::integer AS module_count,
              (count(*) FILTER (WHERE m.state = 'PUBLISHED'))::integer AS published_module_count
         FROM modules m
        WHERE m.part_id = p.part_id) n;

CREATE VIEW module_row AS
SELECT m.part_id, m.module_id, m.title, m.description, m.position, m.content, m.state,
       m.quiz_version IS NOT NULL AS has_quiz,
       (extract(epoch FROM m.create_time) * 1000000)::bigint AS create_micros,
       (extract(epoch FROM m.update_time) * 1000000)::bigint AS update_micros,
       m.revision
  FROM modules m;

-- A learner with the parts it takes (by the parts' position) and whether that is every part.
-- enrol_time stays for the lists' keyset order.
CREATE VIEW learner_row AS
SELECT l.learner_id, l.display_name, l.email, l.organisation_type, l.organisation_name,
       l.kommunkod, l.lanskod, l.enrol_time,
       (extract(epoch FROM l.enrol_time) * 1000000)::bigint AS enrol_micros,
       (extract(epoch FROM l.update_time) * 1000000)::bigint AS update_micros,
       l.revision,
       coalesce((SELECT string_agg(lp.part_id, ',' ORDER BY p.position)
                   FROM learner_parts lp JOIN parts p ON p.part_id = lp.part_id
                  WHERE lp.learner_id = l.learner_id), '') AS part_ids_list,
       NOT EXISTS (SELECT 1 FROM parts p
                    WHERE NOT EXISTS (SELECT 1 FROM learner_parts lp
                                       WHERE lp.learner_id = l.learner_id
                                         AND lp.part_id = p.part_id)) AS whole_course
  FROM learners l;

CREATE VIEW attempt_row AS
SELECT a.attempt_id, a.learner_id, a.part_id, a.module_id, a.quiz_version, a.attempt_number,
       a.snapshot, a.pass_mark_percent, a.state,
       (extract(epoch FROM a.start_time) * 1000000)::bigint AS start_micros,
       (extract(epoch FROM a.expire_time) * 1000000)::bigint AS expire_micros,
       (extract(epoch FROM a.submit_time) * 1000000)::bigint AS submit_micros,
       a.score_percent, a.passed, a.results
  FROM attempts a;

-- issue_time stays for the list's order.
CREATE VIEW diploma_row AS
SELECT d.code, d.learner_id, d.kind, d.content, d.signed_text, d.signature, d.key_id, d.state,
       d.revoke_reason, d.issue_time,
       (extract(epoch FROM d.issue_time) * 1000000)::bigint AS issue_micros,
       (extract(epoch FROM d.revoke_time) * 1000000)::bigint AS revoke_micros,
       array_to_string(d.parts, ',') AS parts_list
  FROM diplomas d;
