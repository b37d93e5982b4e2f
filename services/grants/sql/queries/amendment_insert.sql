-- Requests an amendment: $1 application, $2 reason, $3 new period start and $4 end
-- (YYYY-MM-DD, '' when the period does not change), $5 whether the budget changes, $6 the new
-- BudgetPlan, $7 create time µs. Returns its id.
INSERT INTO amendments (application_id, reason, new_period_start, new_period_end, new_budget,
                        create_time)
VALUES ($1::bigint, $2::text, nullif($3::text, '')::date, nullif($4::text, '')::date,
        CASE WHEN $5::boolean THEN $6::bytea END,
        timestamptz 'epoch' + $7::bigint * interval '1 microsecond')
RETURNING amendment_id
