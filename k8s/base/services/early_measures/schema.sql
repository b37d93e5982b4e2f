-- The early_measures service's schema in the database "integration" and its three roles, with the same
-- privileges as `integration-dbadmin bootstrap` gives locally: early_measures_owner (no login) owns
-- the schema and everything in it; early_measures_migrator (the login of the init container `migrate`) is a member of
-- it and acts as it; early_measures_svc (the server's login) may use the schema but not change it,
-- and gets DML on every table the owner creates (`early-measures-server migrate` then makes the audit log
-- append-only). Run by the PostgreSQL operator when the cluster is created; roles are made here
-- without LOGIN when the operator's managed roles have not created them yet, and the operator
-- then gives the two logins LOGIN and the passwords of the Secrets early-measures-db-credentials and
-- early-measures-db-migrator-credentials. Idempotent, so it can be run by hand on a running cluster
-- (../../../README.md), which also hands a schema made before the roles were split to its owner.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'early_measures_owner') THEN
    CREATE ROLE early_measures_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'early_measures_migrator') THEN
    CREATE ROLE early_measures_migrator NOLOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'early_measures_svc') THEN
    CREATE ROLE early_measures_svc NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_auth_members
                 WHERE roleid = 'early_measures_owner'::regrole AND member = 'early_measures_migrator'::regrole) THEN
    GRANT early_measures_owner TO early_measures_migrator;
  END IF;
END
$$;
CREATE SCHEMA IF NOT EXISTS early_measures AUTHORIZATION early_measures_owner;
ALTER SCHEMA early_measures OWNER TO early_measures_owner;
REASSIGN OWNED BY early_measures_svc TO early_measures_owner;
REVOKE ALL ON DATABASE integration FROM PUBLIC;
GRANT CONNECT ON DATABASE integration TO early_measures_migrator, early_measures_svc;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA early_measures FROM PUBLIC;
GRANT USAGE ON SCHEMA early_measures TO early_measures_svc;
ALTER DEFAULT PRIVILEGES FOR ROLE early_measures_owner IN SCHEMA early_measures
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO early_measures_svc;
ALTER DEFAULT PRIVILEGES FOR ROLE early_measures_owner IN SCHEMA early_measures
  GRANT USAGE, SELECT ON SEQUENCES TO early_measures_svc;
ALTER ROLE early_measures_svc IN DATABASE integration SET search_path TO early_measures;
ALTER ROLE early_measures_migrator IN DATABASE integration SET search_path TO early_measures;
