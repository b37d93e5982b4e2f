-- A page of the audit trail of one application: rows whose resource is the application's
-- name ($1) or lies below it ($2 = name || '/%'; names contain no LIKE wildcards), oldest
-- first, after audit id $3 (0 for the first page), at most $4 rows. $5 is '' for the whole
-- trail (the county) or the comma-separated actions the reader may see (the applicant: see
-- rules/audit_rules.h), so that a page is full whatever is left out.
-- Uses audit_log_resource_prefix_idx. Columns (audit_repository.cc reads them by name): id,
-- occurred_micros, actor, role, action, resource, request_id, detail.
SELECT id, (extract(epoch FROM occurred_at) * 1000000)::bigint AS occurred_micros, actor, role,
       action, resource, request_id, detail
  FROM audit_log
 WHERE (resource = $1::text OR resource LIKE $2::text)
   AND ($5::text = '' OR action = ANY (string_to_array($5::text, ',')))
   AND id > $3::bigint
 ORDER BY id
 LIMIT $4::bigint
