-- Participant $1 without its number (participant_repository.cc).
SELECT p.participant_id, p.kommunkod, p.identity_kind,
       to_char(p.birth_date, 'YYYY-MM-DD') AS birth_date, p.registered_kommunkod,
       to_char(p.registration_date, 'YYYY-MM-DD') AS registration_date,
       to_char(p.first_registration_date, 'YYYY-MM-DD') AS first_registration_date,
       p.permit_type, array_to_string(p.citizenships, ',') AS citizenships,
       array_to_string(p.languages, ',') AS languages, p.revision,
       (extract(epoch FROM p.create_time) * 1000000)::bigint AS create_us
  FROM participants p
 WHERE p.participant_id = $1
