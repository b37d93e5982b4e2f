// The relay thread: moves committed outbox rows to the service's Redis stream in batches,
// marking them published in the same transaction that locked them.
#include "integration/outbox/relay.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/memory/memory.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "integration/log/log.h"
#include "integration/outbox/outbox.h"
#include "integration/pg/prepared.h"
#include "integration/status/status.h"

namespace integration::outbox {
namespace {

constexpr int kPruneBatch = 1000;

bool IsServiceName(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_';
  });
}

// One row locked for publishing.
struct Pending {
  int64_t id = 0;
  std::string event_id;
  std::string type;
  std::string aggregate;
  std::string payload;
  std::string request_id;
  std::string trace_id;
  std::string created_at;
};

}  // namespace

absl::StatusOr<OutboxLag> MeasureLag(pg::Pool& pool, absl::Time deadline) {
  return pool.TransactFor<OutboxLag>(deadline, [](pqxx::work& tx) -> absl::StatusOr<OutboxLag> {
    pqxx::row r = tx.exec1(
        "SELECT count(*), "
        "coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0)::float8 "
        "FROM outbox WHERE published_at IS NULL");
    OutboxLag lag;
    lag.unpublished = r[0].as<int64_t>();
    lag.oldest_age_seconds = std::max(0.0, r[1].as<double>());
    return lag;
  });
}

struct Relay::Impl {
  Impl(pg::Pool& p, redis::Client& r, RelayOptions o)
      : pool(p), redis(r), options(std::move(o)), stream(StreamName(options.service)) {}

  // Publishes one batch; returns how many rows it published.
  absl::StatusOr<int> PublishBatch() {
    int published = 0;
    const absl::Time deadline = absl::Now() + absl::FromChrono(options.transaction_timeout);
    absl::Status st = pool.Transact(deadline, [&](pqxx::work& tx) -> absl::Status {
      published = 0;  // Transact may run this again after a reconnect
      // SKIP LOCKED lets several replicas relay the same schema without waiting on each other.
      pqxx::result rows = pg::ExecPrepared(
          tx, "integration_outbox_relay_batch",
          "SELECT id, event_id::text, event_type, aggregate, payload, "
          "coalesce(headers->>'request_id', ''), coalesce(headers->>'trace_id', ''), "
          "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
          "FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
          options.batch_size);
      if (rows.empty()) return absl::OkStatus();
      std::vector<Pending> batch;
      batch.reserve(rows.size());
      for (const pqxx::row& row : rows) {
        Pending p;
        p.id = row[0].as<int64_t>();
        p.event_id = row[1].as<std::string>();
        p.type = row[2].as<std::string>();
        p.aggregate = row[3].as<std::string>();
        p.payload = pqxx::binarystring(row[4]).str();
        p.request_id = row[5].as<std::string>();
        p.trace_id = row[6].as<std::string>();
        p.created_at = row[7].as<std::string>();
        batch.push_back(std::move(p));
      }

      // One round trip for the whole batch. If Redis fails part-way the transaction rolls
      // back and the rows are sent again later: duplicates in the stream are possible (the
      // consumers' handled_events absorb them), lost events are not.
      std::vector<std::vector<std::string>> commands;
      commands.reserve(batch.size());
      for (const Pending& p : batch) {
        std::vector<std::string> xadd = {"XADD", stream};
        if (options.stream_max_len > 0) {
          xadd.insert(xadd.end(), {"MAXLEN", "~", absl::StrCat(options.stream_max_len)});
        }
        xadd.insert(xadd.end(), {"*", "event_id", p.event_id, "type", p.type, "aggregate",
                                 p.aggregate, "payload", p.payload, "request_id", p.request_id,
                                 "trace_id", p.trace_id, "created_at", p.created_at});
        commands.push_back(std::move(xadd));
      }
      absl::StatusOr<std::vector<redis::Reply>> replies = redis.Pipeline(commands);
      if (!replies.ok()) return replies.status();
      for (const redis::Reply& r : *replies) {
        if (r.is_error()) {
          // E.g. WRONGTYPE when something else owns the stream's key: not transient, but
          // nothing is marked, so the events wait until an operator fixes it.
          return status::FailedPrecondition(redis::kReasonError,
                                            absl::StrCat("XADD to ", stream, " failed: ", r.str()));
        }
      }

      std::vector<int64_t> ids;
      ids.reserve(batch.size());
      for (const Pending& p : batch) ids.push_back(p.id);
      pg::ExecPrepared(
          tx, "integration_outbox_relay_mark",
          "UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY($1::bigint[])",
          absl::StrCat("{", absl::StrJoin(ids, ","), "}"));
      published = static_cast<int>(batch.size());
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    return published;
  }

  // Deletes published rows past the retention, a bounded batch at a time.
  absl::StatusOr<int> Prune() {
    const int64_t retention_seconds =
        std::chrono::duration_cast<std::chrono::seconds>(options.published_retention).count();
    const absl::Time deadline = absl::Now() + absl::FromChrono(options.transaction_timeout);
    return pool.TransactFor<int>(deadline, [&](pqxx::work& tx) -> absl::StatusOr<int> {
      pqxx::result r = tx.exec_params(
          "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE published_at < "
          "clock_timestamp() - make_interval(secs => $1) ORDER BY published_at LIMIT $2)",
          retention_seconds, kPruneBatch);
      return static_cast<int>(r.affected_rows());
    });
  }

  // Deletes request_ids rows past their retention, a bounded batch at a time (the index on
  // created_at finds them).
  absl::StatusOr<int> PruneRequestIds() {
    const absl::Time deadline = absl::Now() + absl::FromChrono(options.transaction_timeout);
    return pool.TransactFor<int>(deadline, [&](pqxx::work& tx) -> absl::StatusOr<int> {
      pqxx::result r = tx.exec_params(
          "DELETE FROM request_ids WHERE (scope, request_id) IN (SELECT scope, request_id FROM "
          "request_ids WHERE created_at < clock_timestamp() - make_interval(secs => $1) "
          "ORDER BY created_at LIMIT $2)",
          static_cast<int64_t>(options.request_id_retention.count()), kPruneBatch);
      return static_cast<int>(r.affected_rows());
    });
  }

  // Both retentions, each on its own (a failure of one does not stop the other).
  void PruneAll() {
    if (options.published_retention.count() > 0) {
      absl::StatusOr<int> pruned = Prune();
      if (pruned.ok()) {
        absl::MutexLock lock(&mu);
        stats.pruned += *pruned;
      } else {
        log::Warn("outbox_prune_failed", {{"error", std::string(pruned.status().message())}});
      }
    }
    if (options.request_id_retention.count() > 0) {
      absl::StatusOr<int> pruned = PruneRequestIds();
      if (pruned.ok()) {
        absl::MutexLock lock(&mu);
        stats.request_ids_pruned += *pruned;
      } else {
        log::Warn("request_ids_prune_failed",
                  {{"error", std::string(pruned.status().message())}});
      }
    }
  }

  // Redis's run_id ("INFO server"): a new one means the server restarted, and without
  // persistence its streams were lost.
  absl::StatusOr<std::string> RedisRunId() {
    absl::StatusOr<redis::Reply> info = redis.Command({"INFO", "server"});
    if (!info.ok()) return info.status();
    const std::string text = info->str();
    const size_t at = text.find("run_id:");
    if (at == std::string::npos) return absl::NotFoundError("INFO server has no run_id");
    const size_t begin = at + 7;
    const size_t end = text.find_first_of("\r\n", begin);
    return text.substr(begin, end == std::string::npos ? end : end - begin);
  }

  // After a restart of Redis: the rows published in the window before go out again (marked
  // unpublished in one statement; the next batches send them).
  void RepublishAfterRedisRestart() {
    if (options.republish_window.count() <= 0) return;
    const absl::Time now = absl::Now();
    if (now < next_redis_check) return;
    next_redis_check = now + absl::FromChrono(options.redis_check_interval);
    absl::StatusOr<std::string> run_id = RedisRunId();
    if (!run_id.ok()) return;  // Redis down: PublishBatch fails and backs off
    if (redis_run_id.empty() || *run_id == redis_run_id) {
      redis_run_id = *run_id;
      return;
    }
    int64_t again = 0;
    absl::Status st = pool.Transact(
        now + absl::FromChrono(options.transaction_timeout), [&](pqxx::work& tx) -> absl::Status {
          again = pg::ExecPrepared(tx, "integration_outbox_relay_republish",
                                   "UPDATE outbox SET published_at = NULL WHERE published_at > "
                                   "clock_timestamp() - make_interval(secs => $1)",
                                   static_cast<int64_t>(options.republish_window.count()))
                      .affected_rows();
          return absl::OkStatus();
        });
    if (!st.ok()) return;  // tried again at the next check: the run_id is not taken yet
    redis_run_id = *run_id;
    {
      absl::MutexLock lock(&mu);
      stats.republished += again;
    }
    log::Warn("outbox_republish_after_redis_restart",
              {{"stream", stream}, {"events", again},
               {"window_s", static_cast<int64_t>(options.republish_window.count())}});
  }

  void Run() {
    std::minstd_rand jitter(static_cast<uint32_t>(absl::ToUnixNanos(absl::Now())));
    absl::Duration backoff = absl::ZeroDuration();
    int64_t failures_in_a_row = 0;
    const absl::Duration prune_every = absl::FromChrono(options.prune_interval);
    absl::Time next_prune = absl::Now() + prune_every;
    while (!Stopping()) {
      RepublishAfterRedisRestart();
      absl::StatusOr<int> n = PublishBatch();
      if (!n.ok()) {
        {
          absl::MutexLock lock(&mu);
          ++stats.failed_attempts;
          stats.healthy = false;
        }
        // One warning per outage, not one per attempt.
        if (failures_in_a_row++ == 0) {
          log::Warn("outbox_relay_failed",
                    {{"stream", stream}, {"error", std::string(n.status().message())}});
        } else {
          log::Debug("outbox_relay_failed",
                     {{"stream", stream}, {"error", std::string(n.status().message())}});
        }
        const absl::Duration min_backoff = absl::FromChrono(options.min_backoff);
        backoff = backoff == absl::ZeroDuration()
                      ? min_backoff
                      : std::min(backoff * 2, absl::FromChrono(options.max_backoff));
        // Up to +50% jitter keeps replicas from retrying in lockstep.
        const int64_t spread = std::max<int64_t>(1, absl::ToInt64Milliseconds(backoff) / 2);
        Wait(backoff + absl::Milliseconds(static_cast<int64_t>(jitter() % spread)),
             /*wake_on_nudge=*/false);
        continue;
      }
      if (failures_in_a_row > 0) {
        log::Info("outbox_relay_recovered",
                  {{"stream", stream}, {"failed_attempts", failures_in_a_row}});
        failures_in_a_row = 0;
        backoff = absl::ZeroDuration();
      }
      {
        absl::MutexLock lock(&mu);
        stats.published += *n;
        stats.healthy = true;
      }
      if (*n > 0) log::Debug("outbox_published", {{"stream", stream}, {"count", *n}});
      if (*n == options.batch_size) continue;  // more may be waiting

      if (absl::Now() >= next_prune) {
        next_prune = absl::Now() + prune_every;
        PruneAll();
      }
      Wait(absl::FromChrono(options.poll_interval), /*wake_on_nudge=*/true);
    }
  }

  bool Stopping() {
    absl::MutexLock lock(&mu);
    return stopping;
  }

  void Wait(absl::Duration d, bool wake_on_nudge) {
    absl::MutexLock lock(&mu);
    auto wake = [this, wake_on_nudge]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
      return stopping || (wake_on_nudge && nudged);
    };
    mu.AwaitWithTimeout(absl::Condition(&wake), d);
    if (!wake_on_nudge || !nudged) return;
    nudged = false;
    // Let the commits that land with this one join its batch.
    if (options.nudge_delay.count() > 0 && !stopping) {
      auto stop = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return stopping; };
      mu.AwaitWithTimeout(absl::Condition(&stop), absl::FromChrono(options.nudge_delay));
    }
  }

  pg::Pool& pool;
  redis::Client& redis;
  const RelayOptions options;
  const std::string stream;
  // Of the relay's thread only: the Redis server last seen and when to look again.
  std::string redis_run_id;
  absl::Time next_redis_check = absl::InfinitePast();

  mutable absl::Mutex mu;
  bool stopping ABSL_GUARDED_BY(mu) = false;
  bool nudged ABSL_GUARDED_BY(mu) = false;
  RelayStats stats ABSL_GUARDED_BY(mu);
  absl::Mutex join_mu;  // Stop() may be called from several threads; only one joins
  std::thread thread;
};

absl::StatusOr<std::unique_ptr<Relay>> Relay::Start(pg::Pool& pool, redis::Client& redis,
                                                    RelayOptions options) {
  status::FieldErrors errors;
  if (!IsServiceName(options.service)) errors.Add("service", "must match [a-z0-9_]+");
  if (options.poll_interval.count() <= 0) errors.Add("poll_interval", "must be positive");
  if (options.nudge_delay.count() < 0) errors.Add("nudge_delay", "must not be negative");
  if (options.batch_size < 1 || options.batch_size > 10'000) {
    errors.Add("batch_size", "must be in 1..10000");
  }
  if (options.stream_max_len < 0) errors.Add("stream_max_len", "must not be negative");
  if (options.min_backoff.count() <= 0) errors.Add("min_backoff", "must be positive");
  if (options.max_backoff < options.min_backoff) {
    errors.Add("max_backoff", "must not be less than min_backoff");
  }
  if (options.transaction_timeout.count() <= 0) {
    errors.Add("transaction_timeout", "must be positive");
  }
  if (options.request_id_retention.count() < 0) {
    errors.Add("request_id_retention", "must not be negative");
  }
  if (options.prune_interval.count() <= 0) errors.Add("prune_interval", "must be positive");
  if (options.published_retention.count() < 0) {
    errors.Add("published_retention", "must not be negative");
  }
  if (absl::Status st = errors.ToStatus(); !st.ok()) return st;

  auto impl = std::make_unique<Impl>(pool, redis, std::move(options));
  Impl* raw = impl.get();
  std::unique_ptr<Relay> relay = absl::WrapUnique(new Relay(std::move(impl)));
  raw->thread = std::thread([raw] { raw->Run(); });
  log::Info("outbox_relay_started", {{"stream", raw->stream}});
  return relay;
}

Relay::Relay(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Relay::~Relay() { Stop(); }

void Relay::Nudge() {
  absl::MutexLock lock(&impl_->mu);
  impl_->nudged = true;
}

void Relay::Stop() {
  {
    absl::MutexLock lock(&impl_->mu);
    impl_->stopping = true;
  }
  absl::MutexLock lock(&impl_->join_mu);
  if (impl_->thread.joinable()) impl_->thread.join();
}

absl::StatusOr<OutboxLag> Relay::Lag(absl::Time deadline) {
  return MeasureLag(impl_->pool, deadline);
}

RelayStats Relay::Stats() const {
  absl::MutexLock lock(&impl_->mu);
  return impl_->stats;
}

const std::string& Relay::stream() const { return impl_->stream; }

}  // namespace integration::outbox
