-- Replaces a programme's texts, applicant types ($5, comma-separated enum names) and required
-- reports ($6); $7: now (µs). A new revision changes the etag.
UPDATE programmes
   SET display_name = $2, legal_basis = $3, description = $4,
       eligible_types = string_to_array($5, ','), required_reports = $6,
       update_time = timestamptz 'epoch' + $7::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE programme_id = $1
