-- Records a submission: $1 report id, $2 used_ore, $3 activities, $4 women, $5 men, $6 other,
-- $7 outcomes, $8 submit time µs. The review of an earlier return stays until the next review.
UPDATE reports
   SET state = 'SUBMITTED', used_ore = $2::bigint, activities = $3::text,
       participants_women = $4::integer, participants_men = $5::integer,
       participants_other = $6::integer, outcomes = $7::text,
       submit_time = timestamptz 'epoch' + $8::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE report_id = $1::bigint
