-- Early measures service schema, first migration. Runs with search_path = early_measures as the role
-- early_measures_svc, which owns the schema; the runtime tables of 0000_runtime (outbox, audit,
-- request ids) already exist. The service has no tables of its own yet: they come in the
-- migration of the first RPC that needs them (0002_<what>.sql), never by editing this file once
-- it has been applied somewhere. What it does now is name the schema's owner in the catalogue,
-- which also lets the service test see that the migration ran.

COMMENT ON SCHEMA early_measures IS 'Early measures service (early-measures-server)';
