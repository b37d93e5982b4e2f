-- Changes an application as an approved amendment says: $1 application, $2 new period start
-- and $3 end ('' keeps the period), $4 whether the budget changes, $5 the new BudgetPlan,
-- $6 update time µs. A new revision: the application's etag changes.
UPDATE applications
   SET period_start = coalesce(nullif($2::text, '')::date, period_start),
       period_end = coalesce(nullif($3::text, '')::date, period_end),
       budget = CASE WHEN $4::boolean THEN $5::bytea ELSE budget END,
       update_time = timestamptz 'epoch' + $6::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE application_id = $1::bigint
