// One-time, idempotent database set-up done with the cluster's admin credentials (by
// integration-dbadmin, run by ./dev up and the deployment): the database, and per service a
// login role that can use only its own schema.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace integration::pg {

// Creates database `database` (a lower-case name, [a-z_][a-z0-9_]*) unless it exists.
// `admin_dsn` names any database of the cluster (usually "postgres") and a role allowed to
// create databases.
absl::Status BootstrapDatabase(const std::string& admin_dsn, const std::string& database);

// In the database that `admin_dsn` names: creates or updates role "<service>_svc" (LOGIN,
// `password`, no other attributes), creates schema "<service>" owned by that role, grants the
// role CONNECT on the database, and revokes PUBLIC's default rights on the database and on
// schema public, so that a service role can use nothing but its own schema. Safe to run again
// (it then resets the password and the grants). `service` is a lower-case name
// ([a-z][a-z0-9_]*, role name at most 63 bytes); the password is never logged and reaches the
// server only as a SCRAM-SHA-256 verifier.
absl::Status BootstrapService(const std::string& admin_dsn, const std::string& service,
                              const std::string& password);

// The role name of a service: "<service>_svc".
std::string ServiceRole(const std::string& service);

}  // namespace integration::pg
