-- Serialises the assignments that read or change one set of standings: a transaction-scoped
-- advisory lock on the text $1 ("county:03", "siblings:<group>").
SELECT pg_advisory_xact_lock(hashtextextended('placement.' || $1, 0))
