// The migration runner: validates the embedded migration files, takes a per-schema advisory
// lock, and applies each pending file in its own transaction, recording its checksum.
#include "integration/pg/migrate.h"

#include <openssl/evp.h>

#include <cstring>
#include <map>
#include <pqxx/pqxx>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "errors.h"
#include "integration/log/log.h"
#include "integration/status/status.h"

namespace integration::pg {
namespace {

struct Pending {
  int version = 0;
  std::string name;
  const char* text = nullptr;
  std::string checksum;
};

struct Applied {
  std::string name;
  std::string checksum;
};

bool IsSchemaName(std::string_view s) {
  if (s.empty() || s.size() > 63 || !(absl::ascii_islower(s[0]) || s[0] == '_')) return false;
  for (char c : s) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') return false;
  }
  return true;
}

// "NNNN_snake_name": four digits, '_', then a lower-case snake_case name.
bool ParseMigrationName(std::string_view name, int* version) {
  if (name.size() < 6 || name[4] != '_') return false;
  for (int i = 0; i < 4; ++i) {
    if (!absl::ascii_isdigit(name[i])) return false;
  }
  std::string_view rest = name.substr(5);
  if (!absl::ascii_islower(rest.front()) || rest.back() == '_') return false;
  for (char c : rest) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') return false;
  }
  return absl::SimpleAtoi(absl::string_view(name.data(), 4), version);
}

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    return "";
  }
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) absl::StrAppendFormat(&hex, "%02x", digest[i]);
  return hex;
}

absl::StatusOr<std::vector<Pending>> Validate(std::span<const SqlFile> migrations) {
  std::vector<Pending> out;
  std::map<int, std::string> seen;
  for (const SqlFile& file : migrations) {
    Pending p;
    p.name = file.name != nullptr ? file.name : "";
    if (file.text == nullptr) {
      return status::InvalidField("migrations",
                                  absl::StrCat("migration \"", p.name, "\" has no text"),
                                  "MIGRATION_INVALID");
    }
    if (!ParseMigrationName(p.name, &p.version)) {
      return status::InvalidField(
          "migrations",
          absl::StrCat("migration file \"", p.name,
                       "\" is not named NNNN_snake_name (four digits, '_', lower-case name)"),
          "MIGRATION_BAD_NAME");
    }
    if (auto it = seen.find(p.version); it != seen.end()) {
      return status::InvalidField("migrations",
                                  absl::StrCat("migrations \"", it->second, "\" and \"", p.name,
                                               "\" have the same version ", p.version),
                                  "MIGRATION_DUPLICATE_VERSION");
    }
    if (!out.empty() && p.version < out.back().version) {
      return status::InvalidField("migrations",
                                  absl::StrCat("migration \"", p.name, "\" comes after \"",
                                               out.back().name, "\" but has a lower version"),
                                  "MIGRATION_BAD_ORDER");
    }
    seen[p.version] = p.name;
    p.text = file.text;
    p.checksum = Sha256Hex(std::string_view(file.text, std::strlen(file.text)));
    if (p.checksum.empty()) return status::Internal("SHA-256 of a migration failed");
    out.push_back(std::move(p));
  }
  return out;
}

class Runner {
 public:
  Runner(pqxx::connection& conn, std::string schema, int locked_pid, const MigrateOptions& options)
      : conn_(conn),
        schema_(std::move(schema)),
        table_(TableName()),
        locked_pid_(locked_pid),
        options_(options) {}

  absl::StatusOr<MigrationResult> Run(const std::vector<Pending>& files) {
    MigrationResult result;
    absl::Status st = Prepare();
    if (!st.ok()) return st;
    absl::StatusOr<std::map<int, Applied>> applied = LoadApplied();
    if (!applied.ok()) return applied.status();

    const int newest_applied = applied->empty() ? 0 : applied->rbegin()->first;
    // Every check first, so that nothing is applied when any file is refused.
    for (const Pending& file : files) {
      auto it = applied->find(file.version);
      if (it == applied->end()) {
        if (file.version < newest_applied) {
          return status::FailedPrecondition(
              "MIGRATION_OUT_OF_ORDER",
              absl::StrCat("migration ", file.name, " is older than the newest applied one (",
                           (*applied)[newest_applied].name,
                           "); migrations are append-only, add a new file instead"),
              {{"migration", file.name}});
        }
        continue;
      }
      if (it->second.name != file.name) {
        return status::FailedPrecondition(
            "MIGRATION_NAME_MISMATCH",
            absl::StrCat("migration version ", file.version, " was applied as ", it->second.name,
                         " but the file is now named ", file.name),
            {{"migration", file.name}});
      }
      if (it->second.checksum != file.checksum) {
        return status::FailedPrecondition(
            "MIGRATION_CHECKSUM_MISMATCH",
            absl::StrCat("migration ", file.name, " was changed after it was applied (checksum ",
                         it->second.checksum, " applied, ", file.checksum,
                         " now); migrations are append-only, add a new file instead"),
            {{"migration", file.name}});
      }
    }
    for (const Pending& file : files) {
      if (applied->contains(file.version)) {
        result.skipped.push_back(file.name);
        continue;
      }
      st = Apply(file);
      if (!st.ok()) return st;
      log::Info("pg_migration_applied", {{"schema", schema_}, {"migration", file.name}});
      result.applied.push_back(file.name);
    }
    if (!options_.finally_sql.empty()) {
      st = Finally();
      if (!st.ok()) return st;
    }
    return result;
  }

 private:
  // libpqxx silently re-opens a broken connection when the next transaction begins; the new
  // session would not hold the advisory lock, so the run must stop instead.
  void CheckSession() const {
    if (conn_.backendpid() != locked_pid_) {
      throw pqxx::broken_connection("the session holding the migration lock was lost");
    }
  }

  std::string TableName() const {
    return absl::StrCat(conn_.quote_name(schema_), ".schema_migrations");
  }

  absl::Status Prepare() {
    try {
      pqxx::work tx(conn_);
      CheckSession();
      pqxx::result found = tx.exec_params("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema_);
      if (found.empty()) {
        return status::FailedPrecondition(
            "SCHEMA_MISSING",
            absl::StrCat("schema ", schema_,
                         " does not exist; bootstrap it first (integration-dbadmin bootstrap)"),
            {{"schema", schema_}});
      }
      if (!options_.owner_role.empty()) {
        const std::string owner =
            tx.exec_params(
                  "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = $1",
                  schema_)[0][0]
                .as<std::string>();
        if (owner != options_.owner_role) {
          return status::FailedPrecondition(
              "SCHEMA_NOT_OWNED",
              absl::StrCat("schema ", schema_, " is owned by ", owner, ", not by ",
                           options_.owner_role, "; bootstrap it again (integration-dbadmin "
                           "bootstrap) to hand it to the owner role"),
              {{"schema", schema_}});
        }
        // Session-wide (it outlives this transaction's commit), so that it holds for every
        // migration below; a reconnect would lose it, which CheckSession() refuses.
        try {
          tx.exec("SET ROLE " + conn_.quote_name(options_.owner_role));
        } catch (const pqxx::sql_error& e) {
          return status::FailedPrecondition(
              "MIGRATION_ROLE_DENIED",
              absl::StrCat("cannot act as ", options_.owner_role, " (",
                           internal::FirstLine(e.what()),
                           "); migrations must log in as a member of it (the migrator role), "
                           "never as the runtime role"),
              {{"schema", schema_}});
        }
      }
      tx.exec(absl::StrCat("CREATE TABLE IF NOT EXISTS ", table_,
                           " (version integer PRIMARY KEY,"
                           " name text NOT NULL UNIQUE,"
                           " checksum text NOT NULL,"
                           " applied_at timestamptz NOT NULL DEFAULT now())"));
      tx.commit();
      return absl::OkStatus();
    } catch (...) {
      return internal::CurrentExceptionWithContext(
          absl::StrCat("cannot prepare ", schema_, ".schema_migrations"));
    }
  }

  absl::StatusOr<std::map<int, Applied>> LoadApplied() {
    try {
      pqxx::work tx(conn_);
      CheckSession();
      std::map<int, Applied> applied;
      for (const auto& row : tx.exec(
               absl::StrCat("SELECT version, name, checksum FROM ", table_, " ORDER BY version"))) {
        applied[row[0].as<int>()] = {row[1].as<std::string>(), row[2].as<std::string>()};
      }
      tx.commit();
      return applied;
    } catch (...) {
      return internal::CurrentExceptionWithContext(
          absl::StrCat("cannot read ", schema_, ".schema_migrations"));
    }
  }

  absl::Status Apply(const Pending& file) {
    try {
      pqxx::work tx(conn_);
      CheckSession();
      tx.exec(absl::StrCat("SET LOCAL search_path TO ", conn_.quote_name(schema_)));
      tx.exec(file.text);
      tx.exec_params(absl::StrCat("INSERT INTO ", table_,
                                  " (version, name, checksum, applied_at)"
                                  " VALUES ($1, $2, $3, now())"),
                     file.version, file.name, file.checksum);
      tx.commit();
      return absl::OkStatus();
    } catch (const pqxx::sql_error& e) {
      return status::Error(absl::StatusCode::kInternal, "MIGRATION_FAILED",
                           absl::StrCat("migration ", file.name, " failed and was rolled back: ",
                                        internal::FirstLine(e.what())),
                           {{"migration", file.name}});
    } catch (...) {
      return internal::CurrentExceptionWithContext(
          absl::StrCat("migration ", file.name, " was not applied"));
    }
  }

  absl::Status Finally() {
    try {
      pqxx::work tx(conn_);
      CheckSession();
      tx.exec(absl::StrCat("SET LOCAL search_path TO ", conn_.quote_name(schema_)));
      tx.exec(options_.finally_sql);
      tx.commit();
      return absl::OkStatus();
    } catch (...) {
      return internal::CurrentExceptionWithContext(
          absl::StrCat("the statements after the migrations of ", schema_, " failed"));
    }
  }

  pqxx::connection& conn_;
  std::string schema_;
  std::string table_;
  int locked_pid_;
  const MigrateOptions& options_;
};

}  // namespace

absl::StatusOr<int> RequiredSchemaVersion(std::span<const SqlFile> migrations) {
  absl::StatusOr<std::vector<Pending>> files = Validate(migrations);
  if (!files.ok()) return files.status();
  return files->empty() ? 0 : files->back().version;
}

absl::StatusOr<int> AppliedSchemaVersion(pqxx::transaction_base& tx, const std::string& schema) {
  if (!IsSchemaName(schema)) {
    return status::InvalidField("schema", "must be a lower-case name ([a-z_][a-z0-9_]*)");
  }
  try {
    const std::string table = absl::StrCat(schema, ".schema_migrations");
    pqxx::row exists = tx.exec_params1("SELECT to_regclass($1) IS NOT NULL", table);
    if (!exists[0].as<bool>()) return -1;
    pqxx::row max = tx.exec1(absl::StrCat("SELECT coalesce(max(version), 0) FROM ", table));
    return max[0].as<int>();
  } catch (...) {
    return internal::CurrentExceptionWithContext("cannot read the schema version");
  }
}

absl::StatusOr<MigrationResult> Migrate(const std::string& dsn, const std::string& schema,
                                        std::span<const SqlFile> migrations,
                                        const MigrateOptions& options) {
  if (!IsSchemaName(schema)) {
    return status::InvalidField("schema", "must be a lower-case name ([a-z_][a-z0-9_]*)");
  }
  absl::StatusOr<std::vector<Pending>> files = Validate(migrations);
  if (!files.ok()) return files.status();

  std::unique_ptr<pqxx::connection> conn;
  try {
    conn = std::make_unique<pqxx::connection>(dsn);
  } catch (...) {
    return internal::CurrentExceptionWithContext("cannot connect to run migrations");
  }
  // A session-level lock, held across the per-file transactions, so that concurrent runners
  // (two Jobs, or a Job and a developer) apply each file once, one after the other.
  const std::string lock_key = absl::StrCat(schema, ".schema_migrations");
  int locked_pid = 0;
  try {
    pqxx::nontransaction tx(*conn);
    if (options.lock_timeout > std::chrono::milliseconds::zero()) {
      tx.exec(absl::StrCat("SET lock_timeout = ", options.lock_timeout.count()));
    }
    tx.exec_params("SELECT pg_advisory_lock(hashtext($1))", lock_key);
    locked_pid = conn->backendpid();
  } catch (...) {
    return internal::CurrentExceptionWithContext(
        options.lock_timeout > std::chrono::milliseconds::zero()
            ? absl::StrCat("cannot take the migration lock within ", options.lock_timeout.count(),
                           " ms (another migration of schema ", schema, " holds it)")
            : std::string("cannot take the migration lock"));
  }
  Runner runner(*conn, schema, locked_pid, options);
  absl::StatusOr<MigrationResult> result = runner.Run(*files);
  try {
    pqxx::nontransaction tx(*conn);
    tx.exec_params("SELECT pg_advisory_unlock(hashtext($1))", lock_key);
  } catch (...) {
    // Closing the connection below ends the session, which releases the lock anyway.
  }
  return result;
}

}  // namespace integration::pg
