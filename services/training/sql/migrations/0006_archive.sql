-- Archiving course content (ArchivePart, ArchiveModule): a part or module taken out of the
-- course stays in the tables, because attempts, progress history and diplomas already issued
-- refer to it; learners no longer see it and diplomas issued afterwards do not require it.
-- Runs with search_path = training.

-- A part is archived when archive_time is set (parts have no draft state).
ALTER TABLE parts ADD COLUMN archive_time timestamptz;

-- A module is archived in its state, so every query that reads "published" modules leaves it
-- out without knowing about archiving; archive_time says since when.
ALTER TABLE modules DROP CONSTRAINT modules_state_check;
ALTER TABLE modules ADD CONSTRAINT modules_state_check
  CHECK (state IN ('DRAFT', 'PUBLISHED', 'ARCHIVED'));
ALTER TABLE modules ADD COLUMN archive_time timestamptz;
ALTER TABLE modules ADD CONSTRAINT modules_archive_time_check
  CHECK ((state = 'ARCHIVED') = (archive_time IS NOT NULL));

-- The row views gain the archive moment (new columns go last, as CREATE OR REPLACE requires).
CREATE OR REPLACE VIEW part_row AS
SELECT p.part_id, p.title, p.description, p.position, n.module_count, n.published_module_count,
       (extract(epoch FROM p.create_time) * 1000000)::bigint AS create_micros,
       (extract(epoch FROM p.update_time) * 1000000)::bigint AS update_micros,
       p.revision,
       (extract(epoch FROM p.archive_time) * 1000000)::bigint AS archive_micros
  FROM parts p
 CROSS JOIN LATERAL (
       SELECT count(*)::integer AS module_count,
              (count(*) FILTER (WHERE m.state = 'PUBLISHED'))::integer AS published_module_count
         FROM modules m
        WHERE m.part_id = p.part_id) n;

CREATE OR REPLACE VIEW module_row AS
SELECT m.part_id, m.module_id, m.title, m.description, m.position, m.content, m.state,
       m.quiz_version IS NOT NULL AS has_quiz,
       (extract(epoch FROM m.create_time) * 1000000)::bigint AS create_micros,
       (extract(epoch FROM m.update_time) * 1000000)::bigint AS update_micros,
       m.revision,
       (extract(epoch FROM m.archive_time) * 1000000)::bigint AS archive_micros
  FROM modules m;

-- The whole course is every part that is not archived.
CREATE OR REPLACE VIEW learner_row AS
SELECT l.learner_id, l.display_name, l.email, l.organisation_type, l.organisation_name,
       l.kommunkod, l.lanskod, l.enrol_time,
       (extract(epoch FROM l.enrol_time) * 1000000)::bigint AS enrol_micros,
       (extract(epoch FROM l.update_time) * 1000000)::bigint AS update_micros,
       l.revision,
       coalesce((SELECT string_agg(lp.part_id, ',' ORDER BY p.position)
                   FROM learner_parts lp JOIN parts p ON p.part_id = lp.part_id
                  WHERE lp.learner_id = l.learner_id), '') AS part_ids_list,
       NOT EXISTS (SELECT 1 FROM parts p
                    WHERE p.archive_time IS NULL
                      AND NOT EXISTS (SELECT 1 FROM learner_parts lp
                                       WHERE lp.learner_id = l.learner_id
                                         AND lp.part_id = p.part_id)) AS whole_course
  FROM learners l;
