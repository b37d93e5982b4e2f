// Admin-side set-up of the database and of each service's roles and schema (idempotent).
#include "integration/pg/bootstrap.h"

#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "errors.h"
#include "integration/log/log.h"
#include "integration/pg/dsn.h"
#include "integration/status/status.h"

namespace integration::pg {
namespace {

constexpr size_t kMaxIdentifier = 63;  // PostgreSQL's NAMEDATALEN - 1
constexpr absl::string_view kRuntimeSuffix = "_svc";
constexpr absl::string_view kOwnerSuffix = "_owner";
constexpr absl::string_view kMigratorSuffix = "_migrator";
// The longest suffix bounds the service name.
constexpr size_t kMaxService = kMaxIdentifier - kMigratorSuffix.size();

// A double-quoted identifier; the names here are validated lower-case names, the doubling
// keeps the function safe for anything else.
std::string QuoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

bool IsLowerName(std::string_view s) {
  if (s.empty() || s.size() > kMaxIdentifier) return false;
  if (!absl::ascii_islower(s[0]) && s[0] != '_') return false;
  for (char c : s) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') return false;
  }
  return true;
}

// The password as a SCRAM-SHA-256 verifier computed by libpq on this side, so that the
// plain text never travels to the server or into its statement log.
absl::StatusOr<std::string> ScramVerifier(const std::string& admin_dsn, const std::string& role,
                                          const std::string& password) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(admin_dsn.c_str()), &PQfinish);
  if (conn == nullptr || PQstatus(conn.get()) != CONNECTION_OK) {
    std::string reason = conn != nullptr ? internal::FirstLine(PQerrorMessage(conn.get()))
                                         : std::string("out of memory");
    return status::Unavailable("PG_UNAVAILABLE", absl::StrCat("cannot connect as admin: ", reason));
  }
  std::unique_ptr<char, decltype(&PQfreemem)> verifier(
      PQencryptPasswordConn(conn.get(), password.c_str(), role.c_str(), "scram-sha-256"),
      &PQfreemem);
  if (verifier == nullptr) {
    return status::Internal(absl::StrCat("cannot compute the password verifier: ",
                                         internal::FirstLine(PQerrorMessage(conn.get()))));
  }
  return std::string(verifier.get());
}

}  // namespace

std::string ServiceRole(const std::string& service) {
  return absl::StrCat(service, kRuntimeSuffix);
}
std::string OwnerRole(const std::string& service) { return absl::StrCat(service, kOwnerSuffix); }
std::string MigratorRole(const std::string& service) {
  return absl::StrCat(service, kMigratorSuffix);
}

std::string RuntimeAccessSql(const std::string& service,
                             const std::vector<std::string>& append_only_tables) {
  const std::string schema = QuoteIdent(service);
  const std::string runtime = QuoteIdent(ServiceRole(service));
  std::string sql = absl::StrCat(
      "GRANT USAGE ON SCHEMA ", schema, " TO ", runtime, ";\n",
      "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ", schema, " TO ", runtime,
      ";\n", "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ", schema, " TO ", runtime, ";\n",
      // The runner's own bookkeeping: readable, never writable by the server.
      "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ", schema, ".schema_migrations FROM ", runtime,
      ";\n");
  for (const std::string& table : append_only_tables) {
    absl::StrAppend(&sql, "REVOKE UPDATE, DELETE, TRUNCATE ON ", schema, ".", QuoteIdent(table),
                    " FROM ", runtime, ";\n");
  }
  return sql;
}

absl::Status BootstrapDatabase(const std::string& admin_dsn, const std::string& database) {
  if (!IsLowerName(database)) {
    return status::InvalidField("database", "must be a lower-case name ([a-z_][a-z0-9_]*)");
  }
  absl::StatusOr<std::map<std::string, std::string>> parsed = ParseDsn(admin_dsn);
  if (!parsed.ok()) return parsed.status();
  try {
    pqxx::connection conn(admin_dsn);
    // CREATE DATABASE cannot run inside a transaction block.
    pqxx::nontransaction tx(conn);
    if (!tx.exec_params("SELECT 1 FROM pg_database WHERE datname = $1", database).empty()) {
      return absl::OkStatus();
    }
    try {
      tx.exec("CREATE DATABASE " + conn.quote_name(database));
    } catch (const pqxx::sql_error& e) {
      // 42P04 duplicate_database: created concurrently by another bootstrap, which is fine.
      if (e.sqlstate() != "42P04") throw;
    }
    log::Info("pg_database_created", {{"database", database}});
    return absl::OkStatus();
  } catch (...) {
    return internal::CurrentExceptionWithContext(absl::StrCat("cannot create database ", database));
  }
}

namespace {

// Whether a failed bootstrap lost a race with another bootstrap of the same role or schema.
bool IsConcurrentCatalogUpdate(const pqxx::sql_error& e) {
  const std::string state = e.sqlstate();
  // 23505 unique_violation (pg_authid's name index), 42710 duplicate_object (role), 42P06
  // duplicate_schema, 40001/40P01 serialization failure / deadlock, XX000 "tuple concurrently
  // updated" (an ALTER ROLE or GRANT racing another on the same catalog row).
  if (state == "XX000") {
    return std::string_view(e.what()).find("concurrently") != std::string_view::npos;
  }
  return state == "23505" || state == "42710" || state == "42P06" || state == "40001" ||
         state == "40P01";
}

// Creates role `role` with `attributes`, or gives an existing one exactly those.
void EnsureRole(pqxx::work& tx, const std::string& role, const std::string& attributes) {
  const std::string verb =
      tx.exec_params("SELECT 1 FROM pg_roles WHERE rolname = $1", role).empty() ? "CREATE"
                                                                                : "ALTER";
  tx.exec(absl::StrCat(verb, " ROLE ", tx.quote_name(role), " ", attributes));
}

// One attempt, in one transaction: a half-made service (roles without schema or grants) never
// remains.
void BootstrapOnce(const std::string& admin_dsn, const std::string& service,
                   const std::string& runtime_verifier, const std::string& migrator_verifier) {
  pqxx::connection conn(admin_dsn);
  pqxx::work tx(conn);
  const std::string owner = OwnerRole(service);
  const std::string q_owner = tx.quote_name(owner);
  const std::string q_migrator = tx.quote_name(MigratorRole(service));
  const std::string q_runtime = tx.quote_name(ServiceRole(service));
  const std::string q_schema = tx.quote_name(service);
  const std::string q_database =
      tx.quote_name(tx.exec("SELECT current_database()")[0][0].as<std::string>());

  // None of the roles may create roles or databases, or bypass RLS. The owner cannot log in;
  // the migrator (NOINHERIT) has no rights of its own until it runs SET ROLE to the owner, so
  // nothing it creates by mistake outside a migration can land in the schema.
  constexpr absl::string_view kBase =
      "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS";
  EnsureRole(tx, owner, absl::StrCat("NOLOGIN INHERIT ", kBase, " PASSWORD NULL"));
  EnsureRole(tx, MigratorRole(service),
             absl::StrCat("LOGIN NOINHERIT ", kBase, " PASSWORD ", tx.quote(migrator_verifier)));
  // NOINHERIT as in Kubernetes: a membership granted by hand would give it nothing unasked.
  EnsureRole(tx, ServiceRole(service),
             absl::StrCat("LOGIN NOINHERIT ", kBase, " PASSWORD ", tx.quote(runtime_verifier)));
  // Membership is changed only when it differs, since PostgreSQL answers a repeated GRANT or
  // a REVOKE of nothing with a notice or warning.
  const auto is_member = [&tx, &owner](const std::string& member) {
    return !tx.exec_params(
                  "SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid"
                  " JOIN pg_roles u ON u.oid = m.member WHERE r.rolname = $1 AND u.rolname = $2",
                  owner, member)
                .empty();
  };
  if (!is_member(MigratorRole(service))) {
    tx.exec(absl::StrCat("GRANT ", q_owner, " TO ", q_migrator));
  }
  // A runtime role made a member of the owner (by hand) could SET ROLE to it.
  if (is_member(ServiceRole(service))) {
    tx.exec(absl::StrCat("REVOKE ", q_owner, " FROM ", q_runtime));
  }

  if (tx.exec_params("SELECT 1 FROM pg_namespace WHERE nspname = $1", service).empty()) {
    tx.exec(absl::StrCat("CREATE SCHEMA ", q_schema, " AUTHORIZATION ", q_owner));
  } else {
    tx.exec(absl::StrCat("ALTER SCHEMA ", q_schema, " OWNER TO ", q_owner));
  }
  // Before the roles were split the runtime role owned the schema's objects; ownership goes to
  // the owner (the runtime role then has only what is granted below and by `migrate`). Affects
  // this database only; a no-op once done.
  tx.exec(absl::StrCat("REASSIGN OWNED BY ", q_runtime, " TO ", q_owner));

  // PUBLIC (every role) may by default connect to the database, create temporary tables
  // and use schema public; the service roles get only CONNECT and their own schema.
  tx.exec(absl::StrCat("REVOKE ALL ON DATABASE ", q_database, " FROM PUBLIC"));
  tx.exec(absl::StrCat("GRANT CONNECT ON DATABASE ", q_database, " TO ", q_migrator, ", ",
                       q_runtime));
  tx.exec("REVOKE ALL ON SCHEMA public FROM PUBLIC");
  tx.exec(absl::StrCat("REVOKE ALL ON SCHEMA ", q_schema, " FROM PUBLIC"));
  // Use, never CREATE: the runtime role cannot add, alter or drop objects.
  tx.exec(absl::StrCat("REVOKE CREATE ON SCHEMA ", q_schema, " FROM ", q_runtime));
  tx.exec(absl::StrCat("GRANT USAGE ON SCHEMA ", q_schema, " TO ", q_runtime));
  // Every table and sequence a later migration creates (as the owner) is usable by the runtime
  // role without a grant in the migration itself.
  tx.exec(absl::StrCat("ALTER DEFAULT PRIVILEGES FOR ROLE ", q_owner, " IN SCHEMA ", q_schema,
                       " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ", q_runtime));
  tx.exec(absl::StrCat("ALTER DEFAULT PRIVILEGES FOR ROLE ", q_owner, " IN SCHEMA ", q_schema,
                       " GRANT USAGE, SELECT ON SEQUENCES TO ", q_runtime));
  // Unqualified names of the service's own SQL resolve in its schema, in psql too.
  for (const std::string& login : {q_runtime, q_migrator}) {
    tx.exec(absl::StrCat("ALTER ROLE ", login, " IN DATABASE ", q_database, " SET search_path TO ",
                         q_schema));
  }
  tx.commit();
}

}  // namespace

absl::Status BootstrapService(const std::string& admin_dsn, const std::string& service,
                              const ServicePasswords& passwords) {
  status::FieldErrors errors;
  if (!IsLowerName(service) || !absl::ascii_islower(service[0]) || service.size() > kMaxService) {
    errors.Add("service", absl::StrCat("must be a lower-case name ([a-z][a-z0-9_]*) of at most ",
                                       kMaxService, " characters"));
  } else if (service == "public" || absl::StartsWith(service, "pg_") ||
             service == "information_schema") {
    errors.Add("service", "must not be a reserved schema name");
  }
  const auto check_password = [&errors](const char* field, const std::string& password) {
    if (password.empty()) errors.Add(field, "must not be empty");
    if (password.find('\0') != std::string::npos) {
      errors.Add(field, "must not contain NUL characters");
    }
  };
  check_password("runtime_password", passwords.runtime);
  check_password("migrator_password", passwords.migrator);
  if (!passwords.runtime.empty() && passwords.runtime == passwords.migrator) {
    errors.Add("migrator_password", "must differ from the runtime password");
  }
  if (!errors.empty()) return errors.ToStatus();
  absl::StatusOr<std::map<std::string, std::string>> parsed = ParseDsn(admin_dsn);
  if (!parsed.ok()) return parsed.status();

  const std::string role = ServiceRole(service);
  absl::StatusOr<std::string> runtime_verifier = ScramVerifier(admin_dsn, role, passwords.runtime);
  if (!runtime_verifier.ok()) return runtime_verifier.status();
  absl::StatusOr<std::string> migrator_verifier =
      ScramVerifier(admin_dsn, MigratorRole(service), passwords.migrator);
  if (!migrator_verifier.ok()) return migrator_verifier.status();

  // Roles are shared by every database of the cluster, so bootstraps of the same service into
  // different databases (parallel test suites, two environments on one server) may update the
  // same role at once; PostgreSQL then fails the loser ("tuple concurrently updated", or a
  // duplicate role or schema). The whole transaction is idempotent: it is run again.
  constexpr int kAttempts = 5;
  for (int attempt = 1;; ++attempt) {
    try {
      BootstrapOnce(admin_dsn, service, *runtime_verifier, *migrator_verifier);
      log::Info("pg_service_bootstrapped", {{"schema", service},
                                            {"owner", OwnerRole(service)},
                                            {"migrator", MigratorRole(service)},
                                            {"role", role}});
      return absl::OkStatus();
    } catch (const pqxx::sql_error& e) {
      if (attempt < kAttempts && IsConcurrentCatalogUpdate(e)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20 * attempt));
        continue;
      }
      return internal::CurrentExceptionWithContext(
          absl::StrCat("cannot bootstrap service ", service));
    } catch (...) {
      return internal::CurrentExceptionWithContext(
          absl::StrCat("cannot bootstrap service ", service));
    }
  }
}

}  // namespace integration::pg
