-- Replaces what an administrator may change in a DRAFT call (parameters as call_insert.sql
-- without programme and county; $1 the call, $11 now in µs). A new revision changes the etag.
UPDATE calls
   SET title = $2, description = $3,
       open_time = timestamptz 'epoch' + $4::bigint * interval '1 microsecond',
       close_time = timestamptz 'epoch' + $5::bigint * interval '1 microsecond',
       budget_ore = $6::bigint, max_per_application_ore = $7::bigint,
       funding_start = $8::date, funding_end = $9::date, criteria = $10,
       update_time = timestamptz 'epoch' + $11::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE call_id = $1::bigint
