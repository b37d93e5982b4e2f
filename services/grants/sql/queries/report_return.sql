-- Returns a submitted report for completion: $1 report id, $2 comment, $3 decide time µs.
UPDATE reports
   SET state = 'RETURNED', accepted_ore = 0, review_comment = $2::text,
       decide_time = timestamptz 'epoch' + $3::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE report_id = $1::bigint
