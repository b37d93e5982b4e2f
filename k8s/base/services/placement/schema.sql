-- The placement service's schema in the database "integration" and its three roles, with the same
-- privileges as `integration-dbadmin bootstrap` gives locally: placement_owner (no login) owns
-- the schema and everything in it; placement_migrator (the login of the init container `migrate`) is a member of
-- it and acts as it; placement_svc (the server's login) may use the schema but not change it,
-- and gets DML on every table the owner creates (`placement-server migrate` then makes the audit log
-- append-only). Run by the PostgreSQL operator when the cluster is created; roles are made here
-- without LOGIN when the operator's managed roles have not created them yet, and the operator
-- then gives the two logins LOGIN and the passwords of the Secrets placement-db-credentials and
-- placement-db-migrator-credentials. Idempotent, so it can be run by hand on a running cluster
-- (../../../README.md), which also hands a schema made before the roles were split to its owner.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'placement_owner') THEN
    CREATE ROLE placement_owner NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'placement_migrator') THEN
    CREATE ROLE placement_migrator NOLOGIN NOINHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'placement_svc') THEN
    CREATE ROLE placement_svc NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_auth_members
                 WHERE roleid = 'placement_owner'::regrole AND member = 'placement_migrator'::regrole) THEN
    GRANT placement_owner TO placement_migrator;
  END IF;
END
$$;
CREATE SCHEMA IF NOT EXISTS placement AUTHORIZATION placement_owner;
ALTER SCHEMA placement OWNER TO placement_owner;
REASSIGN OWNED BY placement_svc TO placement_owner;
REVOKE ALL ON DATABASE integration FROM PUBLIC;
GRANT CONNECT ON DATABASE integration TO placement_migrator, placement_svc;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON SCHEMA placement FROM PUBLIC;
GRANT USAGE ON SCHEMA placement TO placement_svc;
ALTER DEFAULT PRIVILEGES FOR ROLE placement_owner IN SCHEMA placement
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO placement_svc;
ALTER DEFAULT PRIVILEGES FOR ROLE placement_owner IN SCHEMA placement
  GRANT USAGE, SELECT ON SEQUENCES TO placement_svc;
ALTER ROLE placement_svc IN DATABASE integration SET search_path TO placement;
ALTER ROLE placement_migrator IN DATABASE integration SET search_path TO placement;
