// One-time, idempotent database set-up done with the cluster's admin credentials (by
// integration-dbadmin, run by ./dev up and the deployment): the database, and per service an
// owner role, a migrator login and a runtime login that can use only its own schema.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace integration::pg {

// Creates database `database` (a lower-case name, [a-z_][a-z0-9_]*) unless it exists.
// `admin_dsn` names any database of the cluster (usually "postgres") and a role allowed to
// create databases.
absl::Status BootstrapDatabase(const std::string& admin_dsn, const std::string& database);

// The passwords of a service's two login roles.
struct ServicePasswords {
  std::string runtime;   // of ServiceRole(): the running server
  std::string migrator;  // of MigratorRole(): `<binary> migrate`
};

// In the database that `admin_dsn` names, the three roles of a service and its schema:
//  - OwnerRole() "<service>_owner", NOLOGIN: owns schema "<service>" and every object in it;
//  - MigratorRole() "<service>_migrator", LOGIN NOINHERIT, a member of the owner: `migrate`
//    logs in as it and runs SET ROLE to the owner, so migrations create objects as the owner;
//  - ServiceRole() "<service>_svc", LOGIN NOINHERIT: the running server. It may use the schema
//    but not create in it, and gets, through ALTER DEFAULT PRIVILEGES FOR ROLE <owner>, SELECT, INSERT,
//    UPDATE and DELETE on every table and USAGE and SELECT on every sequence the owner creates
//    there (`migrate` then takes UPDATE and DELETE on the audit log away again, see
//    RuntimeAccessSql()). It can neither run DDL nor TRUNCATE.
// Grants both login roles CONNECT on the database and revokes PUBLIC's default rights on the
// database and on schema public, so that a service's roles can use nothing but its own schema.
// Objects an earlier bootstrap left owned by the runtime role (when it still owned the schema)
// are handed to the owner. Safe to run again (it then resets the passwords and the grants).
// `service` is a lower-case name ([a-z][a-z0-9_]*, at most 54 characters so that every role
// name fits in 63 bytes); passwords are never logged and reach the server only as SCRAM-SHA-256
// verifiers. Both passwords are required and must differ.
absl::Status BootstrapService(const std::string& admin_dsn, const std::string& service,
                              const ServicePasswords& passwords);

// The runtime (login) role of a service: "<service>_svc".
std::string ServiceRole(const std::string& service);
// The role owning a service's schema and objects: "<service>_owner" (NOLOGIN).
std::string OwnerRole(const std::string& service);
// The login role migrations run as (member of the owner): "<service>_migrator".
std::string MigratorRole(const std::string& service);

// Statements, run as the owner (or an admin) with `schema` first on the search path, that give
// the runtime role of `service` its rights on everything the schema holds now: SELECT, INSERT,
// UPDATE, DELETE on every table and USAGE, SELECT on every sequence, except that
// `append_only_tables` (which must exist) keep SELECT and INSERT only and schema_migrations
// SELECT only. Idempotent; `migrate` runs it after the migrations, so that tables a migration
// created with other grants, or before the default privileges existed, end up the same.
std::string RuntimeAccessSql(const std::string& service,
                             const std::vector<std::string>& append_only_tables);

}  // namespace integration::pg
