// A bounded pool of libpqxx connections with acquire timeout, health checks and reconnects,
// and transactions whose statement_timeout follows the caller's deadline.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "integration/pg/sql_file.h"

namespace integration::pg {

struct PoolOptions {
  std::string dsn;                   // libpq connection string
  int size = 8;                      // maximum open connections
  std::chrono::milliseconds acquire_timeout{2000};
  std::string search_path;           // e.g. "training"; set on every new connection
  std::span<const SqlFile> queries;  // prepared on every new connection under their names
  std::string application_name;      // shown in pg_stat_activity
  // A file holding the login's password, read again for every new connection, so that a
  // password rotated in the file (a Kubernetes Secret updated by the database operator) is
  // used by the next reconnect without a restart. Empty: the DSN (or libpq's environment)
  // supplies the password.
  std::string password_file;
};

enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable };

struct PoolStats {
  int size = 0;        // configured maximum
  int open = 0;        // connections currently open
  int in_use = 0;      // checked out
  int64_t acquire_timeouts = 0;
  int64_t reconnects = 0;
};

class Pool {
 public:
  // Does not fail when the server is down: connections are opened on demand and re-opened
  // after the server restarts. Fails only on invalid options.
  static absl::StatusOr<std::unique_ptr<Pool>> Create(PoolOptions options);
  ~Pool();

  // Runs `fn` in one transaction. Its statements run with a statement_timeout of the time
  // left until `deadline` (absl::InfiniteFuture() = no limit), or up to an eighth (at least
  // 5 ms) more: the connection's session keeps the value, so that most transactions need
  // not set it again (`fn` must not change it for the session). Commits when fn returns
  // OK, rolls back otherwise. Serialization failures and deadlocks are retried (bounded);
  // a connection lost before commit is re-opened and the whole function retried once.
  // libpqxx exceptions become statuses (UNAVAILABLE when the server is unreachable,
  // DEADLINE_EXCEEDED on statement timeout, ABORTED on exhausted serialization retries,
  // INTERNAL otherwise); nothing throws out of Transact.
  // Unique-violation errors are returned as ALREADY_EXISTS with reason "UNIQUE_VIOLATION"
  // and the constraint name in metadata, so repositories can map them.
  absl::Status Transact(absl::Time deadline, const std::function<absl::Status(pqxx::work&)>& fn,
                        Isolation isolation = Isolation::kReadCommitted);

  // Runs `fn` outside an explicit transaction: each statement commits on its own. For a read
  // of one statement this saves Transact's BEGIN and COMMIT round trips. Deadline, statement
  // timeout, error mapping and retries are Transact's, so `fn` may run more than once and
  // must only read (or be safe to repeat).
  absl::Status Autocommit(absl::Time deadline,
                          const std::function<absl::Status(pqxx::nontransaction&)>& fn);

  // Convenience for a result-returning transaction.
  template <typename T>
  absl::StatusOr<T> TransactFor(absl::Time deadline,
                                const std::function<absl::StatusOr<T>(pqxx::work&)>& fn,
                                Isolation isolation = Isolation::kReadCommitted) {
    std::optional<T> out;
    absl::Status st = Transact(
        deadline,
        [&](pqxx::work& tx) -> absl::Status {
          absl::StatusOr<T> r = fn(tx);
          if (!r.ok()) return r.status();
          out = std::move(*r);
          return absl::OkStatus();
        },
        isolation);
    if (!st.ok()) return st;
    return std::move(*out);
  }

  // SELECT 1 on a pooled connection within `timeout`; used by health checks.
  absl::Status Ping(std::chrono::milliseconds timeout);
  PoolStats Stats() const;

 private:
  struct Impl;
  explicit Pool(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace integration::pg
