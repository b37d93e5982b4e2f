-- Adds a paid instalment ($2 öre) to application $1's paid amount at $3 (µs);
-- applications_paid_within_approved is the backstop of the approved ceiling.
UPDATE applications
   SET paid_ore = paid_ore + $2::bigint,
       update_time = timestamptz 'epoch' + $3::bigint * interval '1 microsecond',
       revision = revision + 1
 WHERE application_id = $1::bigint
