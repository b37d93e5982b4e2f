-- The participant of kommun $1 whose number has look-up hash $2.
SELECT participant_id FROM participants WHERE kommunkod = $1 AND pnr_hash = $2
