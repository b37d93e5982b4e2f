// Migration runner behind `<binary> migrate`: ordered files, one transaction each, an advisory
// lock so that concurrent runners serialise, checksums so an edited applied file is refused.
#pragma once

#include <chrono>
#include <pqxx/transaction_base>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "integration/pg/sql_file.h"

namespace integration::pg {

struct MigrationResult {
  std::vector<std::string> applied;  // names applied by this run, in order
  std::vector<std::string> skipped;  // names already applied with a matching checksum
};

struct MigrateOptions {
  // When set, the session runs SET ROLE to this role before anything else, so that every object
  // the migrations create belongs to it (the schema's owner) whichever login ran them (its
  // migrator, a member of it). A login that may not take the role fails with
  // FAILED_PRECONDITION, reason MIGRATION_ROLE_DENIED; a schema that another role owns, with
  // reason SCHEMA_NOT_OWNED.
  std::string owner_role;
  // Run after the migrations, in a transaction of its own with search_path `schema`, on every
  // run (also when nothing was pending), e.g. RuntimeAccessSql().
  std::string finally_sql;
  // Session lock_timeout of the run: how long it waits for the schema's migration lock (another
  // runner, e.g. a second pod starting) and for each lock a migration statement needs (a table
  // busy with traffic). Past it the run fails (ABORTED, the lock is not available) instead of
  // hanging, and queries queued behind a waiting ALTER are released. Zero: wait forever.
  std::chrono::milliseconds lock_timeout{0};
};

// The highest version among `migrations` (INVALID_ARGUMENT as Migrate for bad names); 0 when
// there are none.
absl::StatusOr<int> RequiredSchemaVersion(std::span<const SqlFile> migrations);

// The highest version recorded in <schema>.schema_migrations, read in `tx`; -1 when the table
// does not exist yet (never migrated).
absl::StatusOr<int> AppliedSchemaVersion(pqxx::transaction_base& tx, const std::string& schema);

// Applies `migrations` (sorted by name, "NNNN_name") to `schema` over a fresh connection to
// `dsn`. Records them in <schema>.schema_migrations(version, name, checksum sha256,
// applied_at). Fails with FAILED_PRECONDITION, reason MIGRATION_CHECKSUM_MISMATCH, naming the
// file, when an applied migration's text has changed; with INVALID_ARGUMENT on a bad name or
// duplicate version. The search_path of each migration transaction is `schema`.
absl::StatusOr<MigrationResult> Migrate(const std::string& dsn, const std::string& schema,
                                        std::span<const SqlFile> migrations,
                                        const MigrateOptions& options = {});

}  // namespace integration::pg
