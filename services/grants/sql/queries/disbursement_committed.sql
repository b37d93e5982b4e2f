-- The sum of application $1's SCHEDULED and PAID instalments, in öre: what the approved
-- amount must still cover. The caller holds the application's row lock, which serialises
-- the instalments of one application.
SELECT coalesce(sum(amount_ore), 0)::bigint AS committed_ore
  FROM disbursements
 WHERE application_id = $1::bigint AND state IN ('SCHEDULED', 'PAID')
