-- The grants service's schema in the database "integration" and its three roles, with the same
-- privileges as `integration-dbadmin bootstrap` gives locally: grants_owner (no login) owns
-- the schema and everything in it; grants_migrator (the login of the init container `migrate`) is a member of
-- it and acts as it; grants_svc (the server's login) may use the schema but not change it,
-- and gets DML on every table the owner creates (`grants-server migrate` then makes the audit log
-- append-only). Run by the PostgreSQL operator when the cluster is created; roles are made here
-- without LOGIN when the operator's managed roles have not created them yet, and the operator
-- then gives the two logins LOGIN and the passwords of the Secrets grants-db-credentials and
-- grants-db-migrator-credentials. Idempotent, so it can be run by hand on a running cluster
-- (../../../README.md), which also hands a schema made before the roles were split to its owner.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grants_owner') THEN
    CREATE ROLE grants_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grants_migrator') THEN
    CREATE ROLE grants_migrator NOLOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'grants_svc') THEN
    CREATE ROLE grants_svc NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_auth_members
                 WHERE roleid = 'grants_owner'::regrole AND member = 'grants_migrator'::regrole) THEN
    GRANT grants_owner TO grants_migrator;
  END IF;
END
$$;
CREATE SCHEMA IF NOT EXISTS grants AUTHORIZATION grants_owner;
ALTER SCHEMA grants OWNER TO grants_owner;
REASSIGN OWNED BY grants_svc TO grants_owner;
REVOKE ALL ON DATABASE integration FROM PUBLIC;
GRANT CONNECT ON DATABASE integration TO grants_migrator, grants_svc;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA grants FROM PUBLIC;
GRANT USAGE ON SCHEMA grants TO grants_svc;
ALTER DEFAULT PRIVILEGES FOR ROLE grants_owner IN SCHEMA grants
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO grants_svc;
ALTER DEFAULT PRIVILEGES FOR ROLE grants_owner IN SCHEMA grants
  GRANT USAGE, SELECT ON SEQUENCES TO grants_svc;
ALTER ROLE grants_svc IN DATABASE integration SET search_path TO grants;
ALTER ROLE grants_migrator IN DATABASE integration SET search_path TO grants;
