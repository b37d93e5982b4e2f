// The connection pool: lazily opened libpqxx connections, bounded waiting for one, health
// checks of long-idle connections, and transactions bounded by the caller's deadline.
#include "integration/pg/pool.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "errors.h"
#include "integration/log/log.h"
#include "integration/pg/dsn.h"
#include "integration/status/status.h"

namespace integration::pg {
namespace {

using internal::Failure;
using internal::FailureKind;

// A connection idle for longer than this is checked with SELECT 1 before it is handed out;
// fresher ones are trusted, and a failure in use is handled by the retry in Transact.
constexpr absl::Duration kIdleCheckAfter = absl::Seconds(5);
// Bounded retries of serialization failures and deadlocks, with jittered exponential backoff.
constexpr int kMaxConflictRetries = 6;
constexpr absl::Duration kConflictBackoff = absl::Milliseconds(5);
// Used when the DSN names no connect_timeout, so that an unreachable server cannot hold a
// request for the operating system's TCP timeout (libpq counts whole seconds, at least 2).
constexpr const char* kDefaultConnectTimeoutSeconds = "5";

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!absl::ascii_islower(s[0]) && s[0] != '_') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_';
  });
}

const char* IsolationSql(Isolation isolation) {
  switch (isolation) {
    case Isolation::kReadCommitted:
      return "";
    case Isolation::kRepeatableRead:
      return "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ; ";
    case Isolation::kSerializable:
      return "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE; ";
  }
  return "";
}

struct Connection {
  std::unique_ptr<pqxx::connection> conn;
  absl::Time last_used;
  int backend_pid = 0;
  // The session's statement_timeout in ms as the pool last committed it (0: none); nullopt
  // when unknown, e.g. on a new connection.
  std::optional<int64_t> statement_timeout_ms;
};

// PostgreSQL's largest statement_timeout (ms), about 24 days.
constexpr int64_t kMaxStatementTimeoutMs = 2147483647;

// What one attempt sends first (after BEGIN in a transaction): the isolation level and, when
// the session's statement_timeout does not fit the time left, a new one. `timeout_ms` is set
// to the value sent (the session keeps it once it is committed); nullopt when the deadline
// has already passed.
//
// The timeout is set for the session rather than with SET LOCAL, so that the next
// transaction on the connection can reuse it and save a round trip: a value fits when it is
// at least the time left and at most an eighth (or 5 ms) above it. A statement may then run
// that much past the caller's deadline, never shorter than it. A new value gets a sixteenth
// of headroom, so that calls with the same deadline and a little less or more queueing keep it.
struct Setup {
  std::string sql;
  std::optional<int64_t> timeout_ms;
};
std::optional<Setup> SetupFor(absl::Time deadline, Isolation isolation,
                              std::optional<int64_t> session_timeout_ms) {
  Setup setup{IsolationSql(isolation), std::nullopt};
  int64_t want = 0;  // "no limit" also overrides a timeout configured for the role or database
  if (deadline != absl::InfiniteFuture()) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return std::nullopt;
    const int64_t ms = std::clamp<int64_t>(
        absl::ToInt64Milliseconds(absl::Ceil(left, absl::Milliseconds(1))), 1,
        kMaxStatementTimeoutMs);
    if (session_timeout_ms.has_value() && *session_timeout_ms >= ms &&
        *session_timeout_ms <= ms + std::max<int64_t>(ms / 8, 5)) {
      return setup;
    }
    want = std::min(ms + ms / 16, kMaxStatementTimeoutMs);
  } else if (session_timeout_ms == 0) {
    return setup;
  }
  absl::StrAppend(&setup.sql, "SET statement_timeout = ", want);
  setup.timeout_ms = want;
  return setup;
}

absl::Status DeadlinePassed() {
  return absl::DeadlineExceededError("the deadline passed before the database transaction");
}

}  // namespace

struct Pool::Impl {
  PoolOptions options;
  std::vector<SqlFile> queries;  // the texts are static (embedded); only the list is copied
  std::string dsn;               // options.dsn plus connect_timeout and start-up settings
  std::string description;       // password-free, for logs

  mutable absl::Mutex mu;
  std::vector<std::unique_ptr<Connection>> idle ABSL_GUARDED_BY(mu);  // most recent last
  int open ABSL_GUARDED_BY(mu) = 0;    // idle + in use + being opened
  int in_use ABSL_GUARDED_BY(mu) = 0;  // handed out or being opened
  int64_t acquire_timeouts ABSL_GUARDED_BY(mu) = 0;
  int64_t reconnects ABSL_GUARDED_BY(mu) = 0;
  // Connections found broken and not yet replaced; the next opens count as reconnects.
  int64_t to_replace ABSL_GUARDED_BY(mu) = 0;
  // When a connection was last found broken: idle connections used before then are checked
  // before reuse, since a server restart breaks all of them at once.
  absl::Time last_breakage ABSL_GUARDED_BY(mu) = absl::InfinitePast();

  bool CanTake() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return !idle.empty() || open < options.size;
  }

  // Hands a connection back to the pool (or discards it) when an attempt ends, however it ends.
  class Lease {
   public:
    Lease(Impl* pool, std::unique_ptr<Connection> c) : pool_(pool), c_(std::move(c)) {}
    ~Lease() { pool_->Release(std::move(c_), broken_); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    pqxx::connection& conn() { return *c_->conn; }
    Connection& connection() { return *c_; }
    void MarkBroken() { broken_ = true; }

   private:
    Impl* pool_;
    std::unique_ptr<Connection> c_;
    bool broken_ = false;
  };

  absl::StatusOr<std::unique_ptr<Connection>> Acquire(absl::Time deadline);
  void Release(std::unique_ptr<Connection> c, bool broken);
  absl::Status Attempts(absl::Time deadline, Isolation isolation,
                        const std::function<absl::Status(Lease&, Setup&)>& attempt);
  bool RecheckSession(Lease& lease, Setup& setup, absl::Time deadline, Isolation isolation);
  absl::StatusOr<std::unique_ptr<Connection>> Open();
  bool Healthy(Connection& c);
  void NoteBackend(Connection& c);
};

absl::StatusOr<std::unique_ptr<Connection>> Pool::Impl::Open() {
  // Read at every connect: a rotated password reaches the next new connection.
  absl::StatusOr<std::string> with_password = DsnWithPasswordFile(dsn, options.password_file);
  if (!with_password.ok()) {
    log::Warn("pg_connect_failed",
              {{"dsn", description}, {"error", std::string(with_password.status().message())}});
    return absl::UnavailableError(
        absl::StrCat("PostgreSQL login unavailable: ", with_password.status().message()));
  }
  try {
    auto c = std::make_unique<Connection>();
    c->conn = std::make_unique<pqxx::connection>(*with_password);
    // Registered here, prepared by libpqxx on first use (and again after a reconnect).
    for (const SqlFile& q : queries) c->conn->prepare(q.name, q.text);
    c->backend_pid = c->conn->backendpid();
    c->last_used = absl::Now();
    bool replacing = false;
    {
      absl::MutexLock lock(&mu);
      if (to_replace > 0) {
        --to_replace;
        ++reconnects;
        replacing = true;
      }
    }
    if (replacing) log::Warn("pg_reconnected", {{"dsn", description}});
    return c;
  } catch (...) {
    Failure f = internal::ClassifyCurrentException();
    std::string error;
    try {
      throw;
    } catch (const std::exception& e) {
      error = internal::FirstLine(e.what());
    } catch (...) {
      error = "unknown exception";
    }
    log::Warn("pg_connect_failed", {{"dsn", description}, {"error", error}});
    return f.status;
  }
}

namespace {

// Whether the server has closed the connection (a terminated backend, a restart), seen without
// a round trip: get_notifs() reads whatever already arrived on the socket, and libpq marks
// the connection bad when that is the server's goodbye. Beginning a transaction on such a
// connection would fail anyway, and libpqxx 6.4 leaks a result when BEGIN fails that way.
bool StillConnected(pqxx::connection& conn) {
  try {
    // Twice: the first read may consume the server's final error message, the second
    // then meets the end of the stream.
    conn.get_notifs();
    conn.get_notifs();
    return conn.is_open();
  } catch (...) {
    return false;
  }
}

}  // namespace

bool Pool::Impl::Healthy(Connection& c) {
  try {
    pqxx::nontransaction tx(*c.conn);
    tx.exec("SELECT 1");
    NoteBackend(c);
    return true;
  } catch (...) {
    return false;
  }
}

// libpqxx may re-open a broken connection by itself (outside transactions); a new backend
// pid is how that shows, and it counts as a reconnect like one made by the pool.
void Pool::Impl::NoteBackend(Connection& c) {
  const int pid = c.conn->backendpid();
  if (pid == 0 || pid == c.backend_pid) return;
  c.backend_pid = pid;
  c.statement_timeout_ms.reset();  // a new session
  {
    absl::MutexLock lock(&mu);
    ++reconnects;
  }
  log::Warn("pg_reconnected", {{"dsn", description}});
}

absl::StatusOr<std::unique_ptr<Connection>> Pool::Impl::Acquire(absl::Time deadline) {
  const absl::Time give_up = absl::Now() + absl::FromChrono(options.acquire_timeout);
  const absl::Time limit = std::min(give_up, deadline);
  std::unique_ptr<Connection> c;
  bool check = false;
  {
    absl::MutexLock lock(&mu);
    if (!mu.AwaitWithDeadline(absl::Condition(this, &Impl::CanTake), limit)) {
      if (deadline < give_up) {
        return absl::DeadlineExceededError(
            "the deadline passed while waiting for a database connection");
      }
      ++acquire_timeouts;
      return status::ResourceExhausted(
          "PG_POOL_EXHAUSTED",
          absl::StrCat("all ", options.size, " database connections stayed in use for ",
                       options.acquire_timeout.count(), " ms"));
    }
    ++in_use;
    if (!idle.empty()) {
      c = std::move(idle.back());
      idle.pop_back();
      check = absl::Now() - c->last_used > kIdleCheckAfter || c->last_used <= last_breakage;
    } else {
      ++open;  // the slot is reserved while the connection is opened outside the lock
    }
  }
  if (c != nullptr) {
    if (StillConnected(*c->conn) && (!check || Healthy(*c))) return c;
    c.reset();
    absl::MutexLock lock(&mu);
    ++to_replace;
    last_breakage = absl::Now();
  }
  absl::StatusOr<std::unique_ptr<Connection>> opened = Open();
  if (!opened.ok()) {
    absl::MutexLock lock(&mu);
    --open;
    --in_use;
  }
  return opened;
}

void Pool::Impl::Release(std::unique_ptr<Connection> c, bool broken) {
  std::unique_ptr<Connection> discarded;  // closed after the lock is released
  absl::MutexLock lock(&mu);
  --in_use;
  if (broken || c == nullptr || !c->conn->is_open()) {
    --open;
    ++to_replace;
    last_breakage = absl::Now();
    discarded = std::move(c);
    return;
  }
  c->last_used = absl::Now();
  idle.push_back(std::move(c));
}

absl::StatusOr<std::unique_ptr<Pool>> Pool::Create(PoolOptions options) {
  status::FieldErrors errors;
  if (options.dsn.empty()) errors.Add("dsn", "must name the database to connect to");
  if (options.size < 1) errors.Add("size", "must be at least 1");
  if (options.acquire_timeout.count() < 0) errors.Add("acquire_timeout", "must not be negative");
  std::vector<std::string> schemas;
  for (absl::string_view part : absl::StrSplit(options.search_path, ',', absl::SkipWhitespace())) {
    std::string schema(absl::StripAsciiWhitespace(part));
    if (!IsIdentifier(schema)) {
      errors.Add("search_path",
                 "must be a comma-separated list of lower-case schema names ([a-z_][a-z0-9_]*)");
      break;
    }
    schemas.push_back(std::move(schema));
  }
  std::set<std::string> names;
  for (const SqlFile& q : options.queries) {
    if (q.name == nullptr || q.text == nullptr || *q.name == '\0') {
      errors.Add("queries", "every query needs a name and a text");
    } else if (!names.insert(q.name).second) {
      errors.Add("queries", absl::StrCat("the name \"", q.name, "\" is used twice"));
    }
  }
  if (!errors.empty()) return errors.ToStatus();

  std::map<std::string, std::string> settings;
  absl::StatusOr<std::map<std::string, std::string>> parsed = ParseDsn(options.dsn);
  if (!parsed.ok()) return status::InvalidField("dsn", std::string(parsed.status().message()));
  if (!parsed->contains("connect_timeout")) {
    settings["connect_timeout"] = kDefaultConnectTimeoutSeconds;
  }
  // Sent in the start-up packet, so these hold on every connection, including ones libpqxx
  // re-opens by itself, at no extra round trip.
  if (!options.application_name.empty()) settings["application_name"] = options.application_name;
  if (!schemas.empty()) {
    std::string startup = (*parsed)["options"];
    absl::StrAppend(&startup, startup.empty() ? "" : " ",
                    "-c search_path=", absl::StrJoin(schemas, ","));
    settings["options"] = std::move(startup);
  }

  auto impl = std::make_unique<Impl>();
  impl->dsn = *DsnWith(options.dsn, settings);
  impl->description = DescribeDsn(options.dsn);
  impl->queries.assign(options.queries.begin(), options.queries.end());
  impl->options = std::move(options);
  impl->options.queries = {};  // the caller's span need not outlive Create
  return std::unique_ptr<Pool>(new Pool(std::move(impl)));
}

Pool::Pool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Pool::~Pool() = default;


// The retry loop shared by Transact and Autocommit. `attempt` runs once on a leased
// connection with the setup to send first, and returns the caller's status; libpqxx
// exceptions escape it and are classified here.
absl::Status Pool::Impl::Attempts(absl::Time deadline, Isolation isolation,
                                  const std::function<absl::Status(Lease&, Setup&)>& attempt) {
  std::minstd_rand jitter(
      static_cast<uint32_t>(absl::ToUnixNanos(absl::Now())) ^
      static_cast<uint32_t>(std::hash<std::thread::id>()(std::this_thread::get_id())));
  int conflicts = 0;
  bool reopened = false;
  for (;;) {
    if (absl::Now() >= deadline) return DeadlinePassed();
    Failure failure;
    {
      absl::StatusOr<std::unique_ptr<Connection>> acquired = Acquire(deadline);
      if (!acquired.ok()) return acquired.status();
      Lease lease(this, *std::move(acquired));
      // Computed after waiting for the connection, from the time then left.
      std::optional<Setup> setup =
          SetupFor(deadline, isolation, lease.connection().statement_timeout_ms);
      if (!setup.has_value()) return DeadlinePassed();
      try {
        return attempt(lease, *setup);
      } catch (...) {
        failure = internal::ClassifyCurrentException();
      }
      if (failure.kind == FailureKind::kBroken || failure.kind == FailureKind::kInDoubt ||
          !lease.conn().is_open()) {
        lease.MarkBroken();
      }
    }  // the connection goes back to the pool before any retry or back-off

    switch (failure.kind) {
      case FailureKind::kFinal:
      case FailureKind::kInDoubt:
        return failure.status;
      case FailureKind::kBroken:
        // Nothing was committed, so the function may run once more on a fresh connection.
        if (reopened) return failure.status;
        reopened = true;
        continue;
      case FailureKind::kRetryable: {
        if (++conflicts > kMaxConflictRetries) return failure.status;
        const absl::Duration base = kConflictBackoff * (1 << (conflicts - 1));
        const absl::Duration pause =
            base + absl::Microseconds(jitter() %
                                      static_cast<uint32_t>(absl::ToInt64Microseconds(base) + 1));
        if (absl::Now() + pause >= deadline) return failure.status;
        absl::SleepFor(pause);
        continue;
      }
    }
  }
}

// libpqxx may have re-opened a lost connection by itself when `tx` began, and a new backend
// has none of the old session's settings: then the setup is made afresh. False when the
// deadline passed meanwhile.
bool Pool::Impl::RecheckSession(Lease& lease, Setup& setup, absl::Time deadline,
                                Isolation isolation) {
  Connection& connection = lease.connection();
  if (lease.conn().backendpid() == connection.backend_pid || setup.timeout_ms.has_value()) {
    return true;
  }
  connection.statement_timeout_ms.reset();
  std::optional<Setup> fresh = SetupFor(deadline, isolation, std::nullopt);
  if (!fresh.has_value()) return false;
  setup = *std::move(fresh);
  return true;
}

absl::Status Pool::Transact(absl::Time deadline, const std::function<absl::Status(pqxx::work&)>& fn,
                            Isolation isolation) {
  return impl_->Attempts(deadline, isolation, [&](Impl::Lease& lease, Setup& setup) {
    Connection& connection = lease.connection();
    pqxx::work tx(lease.conn());
    if (!impl_->RecheckSession(lease, setup, deadline, isolation)) return DeadlinePassed();
    if (!setup.sql.empty()) tx.exec(setup.sql);
    absl::Status st = fn(tx);
    if (!st.ok()) {
      // The rollback also undoes a SET of this transaction, so the session's timeout is still
      // the one recorded. The caller's status stands even when the rollback itself fails (a
      // lost connection rolls back anyway); the connection is then dropped.
      try {
        tx.abort();
      } catch (...) {
        lease.MarkBroken();
      }
      if (!lease.conn().is_open()) lease.MarkBroken();
      return st;
    }
    // Unknown while the commit is under way: it may fail after the server applied it.
    const std::optional<int64_t> before = connection.statement_timeout_ms;
    connection.statement_timeout_ms.reset();
    tx.commit();
    connection.statement_timeout_ms = setup.timeout_ms.has_value() ? setup.timeout_ms : before;
    impl_->NoteBackend(connection);
    return absl::OkStatus();
  });
}

absl::Status Pool::Autocommit(absl::Time deadline,
                              const std::function<absl::Status(pqxx::nontransaction&)>& fn) {
  return impl_->Attempts(deadline, Isolation::kReadCommitted, [&](Impl::Lease& lease,
                                                                  Setup& setup) {
    Connection& connection = lease.connection();
    pqxx::nontransaction tx(lease.conn());
    if (!impl_->RecheckSession(lease, setup, deadline, Isolation::kReadCommitted)) {
      return DeadlinePassed();
    }
    if (!setup.sql.empty()) {
      connection.statement_timeout_ms.reset();
      tx.exec(setup.sql);  // in force at once: there is no transaction to commit
      connection.statement_timeout_ms = setup.timeout_ms;
    }
    absl::Status st = fn(tx);
    if (!lease.conn().is_open()) lease.MarkBroken();
    if (st.ok()) impl_->NoteBackend(connection);
    return st;
  });
}

absl::Status Pool::Ping(std::chrono::milliseconds timeout) {
  return Autocommit(absl::Now() + absl::FromChrono(timeout), [](pqxx::nontransaction& tx) {
    tx.exec("SELECT 1");
    return absl::OkStatus();
  });
}

PoolStats Pool::Stats() const {
  absl::MutexLock lock(&impl_->mu);
  PoolStats stats;
  stats.size = impl_->options.size;
  stats.open = impl_->open;
  stats.in_use = impl_->in_use;
  stats.acquire_timeouts = impl_->acquire_timeouts;
  stats.reconnects = impl_->reconnects;
  return stats;
}

}  // namespace integration::pg
