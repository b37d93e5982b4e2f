-- Decides application $1: outcome $2 ('APPROVED', 'PARTIALLY_APPROVED', 'REJECTED'), approved
-- $3 öre, conditions $4, decider $5 (token subject), decide time $6 (µs). Only from
-- SUBMITTED or UNDER_REVIEW: returns no row otherwise.
UPDATE applications
   SET state = 'DECIDED',
       decision_outcome = $2,
       approved_ore = $3::bigint,
       conditions = $4,
       decider = $5,
       decide_time = timestamptz 'epoch' + $6::bigint * interval '1 microsecond',
       update_time = timestamptz 'epoch' + $6::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE application_id = $1::bigint AND state IN ('SUBMITTED', 'UNDER_REVIEW')
RETURNING application_id
