-- The participant of organisation $1 with LMA key $2, if registered.
SELECT participant_id FROM participants WHERE orgnr = $1 AND lma_key = $2
