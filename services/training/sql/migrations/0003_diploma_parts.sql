-- The part names a diploma certifies, as issued: a course diploma lists every part the course
-- had at the time, which later content changes must not alter. Part ids never contain ','
-- (id rule), so the repository reads the array as a comma-separated string.
ALTER TABLE diplomas ADD COLUMN parts text[] NOT NULL DEFAULT '{}';
-- Verification and statistics by issue month.
CREATE INDEX diplomas_issue_idx ON diplomas (issue_time);
