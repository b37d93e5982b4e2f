-- The early_measures service's schema in the database "integration", owned by its login role
-- early_measures_svc, which can use nothing else (the same privileges as `integration-dbadmin bootstrap`
-- gives locally). Run by the PostgreSQL operator when the cluster is created; the role is made
-- here without LOGIN when the operator's managed roles have not created it yet, and the
-- operator then gives it LOGIN and the password from the Secret early-measures-db-credentials.
-- Idempotent, so it can be run by hand on a running cluster (../../../README.md).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'early_measures_svc') THEN
    CREATE ROLE early_measures_svc NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
END
$$;
CREATE SCHEMA IF NOT EXISTS early_measures AUTHORIZATION early_measures_svc;
ALTER SCHEMA early_measures OWNER TO early_measures_svc;
REVOKE ALL ON DATABASE integration FROM PUBLIC;
GRANT CONNECT ON DATABASE integration TO early_measures_svc;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA early_measures FROM PUBLIC;
ALTER ROLE early_measures_svc IN DATABASE integration SET search_path TO early_measures;
