-- Approves a requested amendment and keeps what it replaced: $1 amendment id, $2 previous
-- period start and $3 end ('' when the period did not change), $4 whether the budget changed,
-- $5 the previous BudgetPlan, $6 comment, $7 decider, $8 decide time µs.
UPDATE amendments
   SET state = 'APPROVED',
       prev_period_start = nullif($2::text, '')::date, prev_period_end = nullif($3::text, '')::date,
       prev_budget = CASE WHEN $4::boolean THEN $5::bytea END,
       decision_comment = $6::text, decider = $7::text,
       decide_time = timestamptz 'epoch' + $8::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE amendment_id = $1::bigint
