-- The grants service's schema in the database "integration", owned by its login role
-- grants_svc, which can use nothing else (the same privileges as `integration-dbadmin bootstrap`
-- gives locally). Run by the PostgreSQL operator when the cluster is created; the role is made
-- here without LOGIN when the operator's managed roles have not created it yet, and the
-- operator then gives it LOGIN and the password from the Secret grants-db-credentials.
-- Idempotent, so it can be run by hand on a running cluster (../../../README.md).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grants_svc') THEN
    CREATE ROLE grants_svc NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
END
$$;
CREATE SCHEMA IF NOT EXISTS grants AUTHORIZATION grants_svc;
ALTER SCHEMA grants OWNER TO grants_svc;
REVOKE ALL ON DATABASE integration FROM PUBLIC;
GRANT CONNECT ON DATABASE integration TO grants_svc;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA grants FROM PUBLIC;
ALTER ROLE grants_svc IN DATABASE integration SET search_path TO grants;
