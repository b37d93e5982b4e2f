-- The training service's schema in the database "integration" and its three roles, with the same
-- privileges as `integration-dbadmin bootstrap` gives locally: training_owner (no login) owns
-- the schema and everything in it; training_migrator (the login of the init container `migrate`) is a member of
-- it and acts as it; training_svc (the server's login) may use the schema but not change it,
-- and gets DML on every table the owner creates (`training-server migrate` then makes the audit log
-- append-only). Run by the PostgreSQL operator when the cluster is created; roles are made here
-- without LOGIN when the operator's managed roles have not created them yet, and the operator
-- then gives the two logins LOGIN and the passwords of the Secrets training-db-credentials and
-- training-db-migrator-credentials. Idempotent, so it can be run by hand on a running cluster
-- (../../../README.md), which also hands a schema made before the roles were split to its owner.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'training_owner') THEN
    CREATE ROLE training_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'training_migrator') THEN
    CREATE ROLE training_migrator NOLOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'training_svc') THEN
    CREATE ROLE training_svc NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_auth_members
                 WHERE roleid = 'training_owner'::regrole AND member = 'training_migrator'::regrole) THEN
    GRANT training_owner TO training_migrator;
  END IF;
END
$$;
CREATE SCHEMA IF NOT EXISTS training AUTHORIZATION training_owner;
ALTER SCHEMA training OWNER TO training_owner;
REASSIGN OWNED BY training_svc TO training_owner;
REVOKE ALL ON DATABASE integration FROM PUBLIC;
GRANT CONNECT ON DATABASE integration TO training_migrator, training_svc;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA training FROM PUBLIC;
GRANT USAGE ON SCHEMA training TO training_svc;
ALTER DEFAULT PRIVILEGES FOR ROLE training_owner IN SCHEMA training
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO training_svc;
ALTER DEFAULT PRIVILEGES FOR ROLE training_owner IN SCHEMA training
  GRANT USAGE, SELECT ON SEQUENCES TO training_svc;
ALTER ROLE training_svc IN DATABASE integration SET search_path TO training;
ALTER ROLE training_migrator IN DATABASE integration SET search_path TO training;
