-- Adds an approval ($2 öre) to call $1's approved total (time $3 in µs). The caller holds the
-- call's row lock and has checked the budget; calls_approved_within_budget is the backstop.
UPDATE calls
   SET approved_total_ore = approved_total_ore + $2::bigint,
       update_time = timestamptz 'epoch' + $3::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE call_id = $1::bigint
