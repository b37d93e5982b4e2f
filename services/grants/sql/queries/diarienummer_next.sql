-- Takes the next running number of registry $1 in year $2 (the first is 1). The upsert locks
-- the sequence row until the submitting transaction ends, so concurrent submissions are
-- numbered one after the other and a rolled-back one leaves no gap.
INSERT INTO diarienummer_sequences (registry, year, last)
VALUES ($1::int, $2::int, 1)
ON CONFLICT (registry, year)
  DO UPDATE SET last = diarienummer_sequences.last + 1
RETURNING last
