// Admin-side set-up of the database and of each service's role and schema (idempotent).
#include "integration/pg/bootstrap.h"

#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <thread>

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
constexpr absl::string_view kRoleSuffix = "_svc";

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

std::string ServiceRole(const std::string& service) { return absl::StrCat(service, kRoleSuffix); }

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

// One attempt, in one transaction: a half-made service (role without schema or grants) never
// remains.
void BootstrapOnce(const std::string& admin_dsn, const std::string& service,
                   const std::string& role, const std::string& verifier) {
  pqxx::connection conn(admin_dsn);
  pqxx::work tx(conn);
  const std::string q_role = tx.quote_name(role);
  const std::string q_schema = tx.quote_name(service);
  const std::string q_database =
      tx.quote_name(tx.exec("SELECT current_database()")[0][0].as<std::string>());

  // Only LOGIN: the service role may not create roles or databases, or bypass RLS.
  const std::string attributes =
      "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ";
  if (tx.exec_params("SELECT 1 FROM pg_roles WHERE rolname = $1", role).empty()) {
    tx.exec(absl::StrCat("CREATE ROLE ", q_role, " ", attributes, tx.quote(verifier)));
  } else {
    tx.exec(absl::StrCat("ALTER ROLE ", q_role, " ", attributes, tx.quote(verifier)));
  }

  if (tx.exec_params("SELECT 1 FROM pg_namespace WHERE nspname = $1", service).empty()) {
    tx.exec(absl::StrCat("CREATE SCHEMA ", q_schema, " AUTHORIZATION ", q_role));
  } else {
    tx.exec(absl::StrCat("ALTER SCHEMA ", q_schema, " OWNER TO ", q_role));
  }

  // PUBLIC (every role) may by default connect to the database, create temporary tables
  // and use schema public; the service roles get only CONNECT and their own schema.
  tx.exec(absl::StrCat("REVOKE ALL ON DATABASE ", q_database, " FROM PUBLIC"));
  tx.exec(absl::StrCat("GRANT CONNECT ON DATABASE ", q_database, " TO ", q_role));
  tx.exec("REVOKE ALL ON SCHEMA public FROM PUBLIC");
  tx.exec(absl::StrCat("REVOKE ALL ON SCHEMA ", q_schema, " FROM PUBLIC"));
  // Unqualified names of the service's own SQL resolve in its schema, in psql too.
  tx.exec(absl::StrCat("ALTER ROLE ", q_role, " IN DATABASE ", q_database, " SET search_path TO ",
                       q_schema));
  tx.commit();
}

}  // namespace

absl::Status BootstrapService(const std::string& admin_dsn, const std::string& service,
                              const std::string& password) {
  status::FieldErrors errors;
  if (!IsLowerName(service) || !absl::ascii_islower(service[0]) ||
      service.size() + kRoleSuffix.size() > kMaxIdentifier) {
    errors.Add("service", "must be a lower-case name ([a-z][a-z0-9_]*) of at most 59 characters");
  } else if (service == "public" || absl::StartsWith(service, "pg_") ||
             service == "information_schema") {
    errors.Add("service", "must not be a reserved schema name");
  }
  if (password.empty()) errors.Add("password", "must not be empty");
  if (password.find('\0') != std::string::npos) {
    errors.Add("password", "must not contain NUL characters");
  }
  if (!errors.empty()) return errors.ToStatus();
  absl::StatusOr<std::map<std::string, std::string>> parsed = ParseDsn(admin_dsn);
  if (!parsed.ok()) return parsed.status();

  const std::string role = ServiceRole(service);
  absl::StatusOr<std::string> verifier = ScramVerifier(admin_dsn, role, password);
  if (!verifier.ok()) return verifier.status();

  // Roles are shared by every database of the cluster, so bootstraps of the same service into
  // different databases (parallel test suites, two environments on one server) may update the
  // same role at once; PostgreSQL then fails the loser ("tuple concurrently updated", or a
  // duplicate role or schema). The whole transaction is idempotent: it is run again.
  constexpr int kAttempts = 5;
  for (int attempt = 1;; ++attempt) {
    try {
      BootstrapOnce(admin_dsn, service, role, *verifier);
      log::Info("pg_service_bootstrapped", {{"schema", service}, {"role", role}});
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
