-- The orientation service's schema in the database "integration", owned by its login role
-- orientation_svc, which can use nothing else (the same privileges as `integration-dbadmin bootstrap`
-- gives locally). Run by the PostgreSQL operator when the cluster is created; the role is made
-- here without LOGIN when the operator's managed roles have not created it yet, and the
-- operator then gives it LOGIN and the password from the Secret orientation-db-credentials.
-- Idempotent, so it can be run by hand on a running cluster (../../../README.md).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'orientation_svc') THEN
    CREATE ROLE orientation_svc NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
END
$$;
CREATE SCHEMA IF NOT EXISTS orientation AUTHORIZATION orientation_svc;
ALTER SCHEMA orientation OWNER TO orientation_svc;
REVOKE ALL ON DATABASE integration FROM PUBLIC;
GRANT CONNECT ON DATABASE integration TO orientation_svc;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA orientation FROM PUBLIC;
ALTER ROLE orientation_svc IN DATABASE integration SET search_path TO orientation;
