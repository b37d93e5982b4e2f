-- The orientation service's schema in the database "integration" and its three roles, with the same
-- privileges as `integration-dbadmin bootstrap` gives locally: orientation_owner (no login) owns
-- the schema and everything in it; orientation_migrator (the login of the init container `migrate`) is a member of
-- it and acts as it; orientation_svc (the server's login) may use the schema but not change it,
-- and gets DML on every table the owner creates (`orientation-server migrate` then makes the audit log
-- append-only). Run by the PostgreSQL operator when the cluster is created; roles are made here
-- without LOGIN when the operator's managed roles have not created them yet, and the operator
-- then gives the two logins LOGIN and the passwords of the Secrets orientation-db-credentials and
-- orientation-db-migrator-credentials. Idempotent, so it can be run by hand on a running cluster
-- (../../../README.md), which also hands a schema made before the roles were split to its owner.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'orientation_owner') THEN
    CREATE ROLE orientation_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'orientation_migrator') THEN
    CREATE ROLE orientation_migrator NOLOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'orientation_svc') THEN
    CREATE ROLE orientation_svc NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_auth_members
                 WHERE roleid = 'orientation_owner'::regrole AND member = 'orientation_migrator'::regrole) THEN
    GRANT orientation_owner TO orientation_migrator;
  END IF;
END
$$;
CREATE SCHEMA IF NOT EXISTS orientation AUTHORIZATION orientation_owner;
ALTER SCHEMA orientation OWNER TO orientation_owner;
REASSIGN OWNED BY orientation_svc TO orientation_owner;
REVOKE ALL ON DATABASE integration FROM PUBLIC;
GRANT CONNECT ON DATABASE integration TO orientation_migrator, orientation_svc;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA orientation FROM PUBLIC;
GRANT USAGE ON SCHEMA orientation TO orientation_svc;
ALTER DEFAULT PRIVILEGES FOR ROLE orientation_owner IN SCHEMA orientation
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO orientation_svc;
ALTER DEFAULT PRIVILEGES FOR ROLE orientation_owner IN SCHEMA orientation
  GRANT USAGE, SELECT ON SEQUENCES TO orientation_svc;
ALTER ROLE orientation_svc IN DATABASE integration SET search_path TO orientation;
ALTER ROLE orientation_migrator IN DATABASE integration SET search_path TO orientation;
