-- Accepts a submitted report: $1 report id, $2 accepted_ore, $3 comment, $4 decide time µs.
UPDATE reports
   SET state = 'ACCEPTED', accepted_ore = $2::bigint, review_comment = $3::text,
       decide_time = timestamptz 'epoch' + $4::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE report_id = $1::bigint
