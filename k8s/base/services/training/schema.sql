-- The training service's schema in the database "integration", owned by its login role
-- training_svc, which can use nothing else (the same grants as `integration-dbadmin bootstrap`
-- gives locally). Run by the PostgreSQL operator when the cluster is created; the role is made
-- here without LOGIN when the operator's managed roles have not created it yet, and the
-- operator then gives it LOGIN and the password from the Secret training-db-credentials.
-- Idempotent, so it can be run by hand on a running cluster (../../../README.md).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'training_svc') THEN
    CREATE ROLE training_svc NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
END
$$;
CREATE SCHEMA IF NOT EXISTS training AUTHORIZATION training_svc;
ALTER SCHEMA training OWNER TO training_svc;
REVOKE ALL ON DATABASE integration FROM PUBLIC;
GRANT CONNECT ON DATABASE integration TO training_svc;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA training FROM PUBLIC;
ALTER ROLE training_svc IN DATABASE integration SET search_path TO training;
