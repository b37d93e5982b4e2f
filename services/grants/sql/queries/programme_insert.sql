-- Creates a programme; no row comes back when the id is taken. $5: eligible ApplicantType enum
-- names, comma-separated; $6: serialized Programme holding only required_reports; $7: now (µs);
-- $8: the owning county's länskod, '' for a national programme.
INSERT INTO programmes (programme_id, display_name, legal_basis, description, eligible_types,
                        required_reports, create_time, update_time, lanskod)
VALUES ($1, $2, $3, $4, string_to_array($5, ','), $6,
        timestamptz 'epoch' + $7::bigint * interval '1 microsecond',
        timestamptz 'epoch' + $7::bigint * interval '1 microsecond', NULLIF($8, ''))
ON CONFLICT (programme_id) DO NOTHING
RETURNING programme_id
