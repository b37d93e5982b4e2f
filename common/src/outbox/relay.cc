// The relay thread: moves committed outbox rows to the service's Redis stream in batches,
// marking them published in the same transaction that locked them.
#include "integration/outbox/relay.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
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
#include "integration/redis/client.h"
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
  std::string tenant;     // TenantJson
  std::string stream_id;  // "" before it is appended the first time
};

// KEYS[1] the stream; ARGV: the last stream id the outbox recorded ("" = none), MAXLEN ("0" =
// no trimming), then per entry its id ("*" or a recorded one) and 8 field-value pairs.
// Returns {"reset", <last generated id>} when the stream is behind the recorded id (it was
// lost) and appends nothing; otherwise {"ok", <id of each entry>...}.
const redis::Script& AppendScript() {
  static const redis::Script* const kScript = new redis::Script(R"lua(
local function parse(id)
  local dash = string.find(id, '-', 1, true)
  return tonumber(string.sub(id, 1, dash - 1)), tonumber(string.sub(id, dash + 1))
end
local function before(a, b)
  local am, as = parse(a)
  local bm, bs = parse(b)
  return am < bm or (am == bm and as < bs)
end
local last = '0-0'
if redis.call('EXISTS', KEYS[1]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then last = info[i + 1] end
  end
end
if ARGV[1] ~= '' and before(last, ARGV[1]) then return {'reset', last} end
local out = {'ok'}
local per = 17
for i = 3, #ARGV, per do
  local cmd = {'XADD', KEYS[1]}
  if ARGV[2] ~= '0' then
    table.insert(cmd, 'MAXLEN'); table.insert(cmd, '~'); table.insert(cmd, ARGV[2])
  end
  for j = i, i + per - 1 do table.insert(cmd, ARGV[j]) end
  table.insert(out, redis.call(unpack(cmd)))
end
return out
)lua");
  return *kScript;
}

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

  // What one PublishBatch did: rows published, and whether more may be waiting (a full batch,
  // or a batch of a lost stream restored), so that Run goes on at once.
  struct Batch {
    int published = 0;
    bool more = false;
  };

  // Publishes one batch.
  //
  // Order: one publisher per stream at a time, whatever the number of replicas (the
  // transaction-scoped advisory lock, waited for), in outbox id order. Two changes of one
  // resource are serialized by its row lock, so the later one's outbox row has the larger id
  // and is committed later: per resource the stream has the commit order. Across resources the
  // stream has the order in which the relay found the commits, which may differ from commit
  // order between concurrent transactions (an id taken before a later-committing one).
  //
  // Loss of the stream: each published row records its stream entry id (headers.stream_id).
  // Every batch checks, in the same script that appends, that the stream's last generated id
  // is not behind the last recorded one; when it is (Redis restarted empty or from an older
  // snapshot, or the key was deleted), the retained rows after the stream's last id are
  // appended again with their recorded ids before anything new, so that readers' positions
  // stay valid and nothing is lost or renumbered.
  absl::StatusOr<Batch> PublishBatch() {
    Batch batch;
    const absl::Time deadline = absl::Now() + absl::FromChrono(options.transaction_timeout);
    absl::Status st = pool.Transact(deadline, [&](pqxx::work& tx) -> absl::Status {
      batch = {};  // Transact may run this again after a reconnect
      pg::ExecPrepared(tx, "integration_outbox_relay_lock",
                       "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                       absl::StrCat("integration.outbox.relay:", stream));
      pqxx::row last = pg::ExecPrepared(
          tx, "integration_outbox_relay_last",
          "SELECT coalesce((SELECT headers->>'stream_id' FROM outbox WHERE published_at IS NOT "
          "NULL ORDER BY published_at DESC, id DESC LIMIT 1), ''), clock_timestamp()::text")[0];
      const std::string expected = last[0].as<std::string>();
      const std::string now = last[1].as<std::string>();
      pqxx::result rows = pg::ExecPrepared(
          tx, "integration_outbox_relay_batch",
          "SELECT id, event_id::text, event_type, aggregate, payload, "
          "coalesce(headers->>'request_id', ''), coalesce(headers->>'trace_id', ''), "
          "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
          "coalesce(headers->'tenant', '{}'::jsonb)::text, '' "
          "FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1",
          options.batch_size);
      absl::StatusOr<Appended> appended = Append(expected, ReadRows(rows));
      if (!appended.ok()) return appended.status();
      if (appended->reset_to.has_value()) {
        absl::StatusOr<int> restored = Restore(tx, *appended->reset_to);
        if (!restored.ok()) return restored.status();
        batch.more = true;
        return absl::OkStatus();
      }
      Mark(tx, appended->rows, now);
      batch.published = static_cast<int>(appended->rows.size());
      batch.more = batch.published == options.batch_size;
      return absl::OkStatus();
    });
    if (!st.ok()) return st;
    return batch;
  }

  static std::vector<Pending> ReadRows(const pqxx::result& rows) {
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
      p.tenant = row[8].as<std::string>();
      p.stream_id = row[9].as<std::string>();
      batch.push_back(std::move(p));
    }
    return batch;
  }

  struct Appended {
    std::vector<Pending> rows;  // with their new stream ids
    // Set when the stream's last generated id is behind `expected`: nothing was appended, and
    // the stream holds everything up to this id.
    std::optional<std::string> reset_to;
  };

  // One script call: the check against `expected` (the last recorded stream id; "" = none
  // recorded) and the XADDs (with each row's stream_id, or "*" when it has none). If Redis
  // fails the transaction rolls back and the rows are sent again later: duplicates in the
  // stream are possible (the consumers' handled_events absorb them; the gateway drops ids it
  // has delivered), lost events are not.
  absl::StatusOr<Appended> Append(const std::string& expected, std::vector<Pending> batch) {
    std::vector<std::string> args = {expected, absl::StrCat(options.stream_max_len)};
    args.reserve(2 + batch.size() * 19);
    for (const Pending& p : batch) {
      args.insert(args.end(),
                  {p.stream_id.empty() ? "*" : p.stream_id, "event_id", p.event_id, "type", p.type,
                   "aggregate", p.aggregate, "payload", p.payload, "request_id", p.request_id,
                   "trace_id", p.trace_id, "created_at", p.created_at, "tenant", p.tenant});
    }
    absl::StatusOr<redis::Reply> reply = redis.EvalSha(AppendScript(), {stream}, args);
    if (!reply.ok()) {
      // E.g. WRONGTYPE when something else owns the stream's key: not transient, but nothing
      // is marked, so the events wait until an operator fixes it.
      return reply.status();
    }
    const std::vector<redis::Reply>& parts = reply->elements();
    if (parts.size() == 2 && parts[0].str() == "reset") {
      return Appended{.rows = {}, .reset_to = parts[1].str()};
    }
    if (parts.size() != batch.size() + 1 || parts[0].str() != "ok") {
      return status::Internal(absl::StrCat("unexpected reply of the append script on ", stream));
    }
    for (size_t i = 0; i < batch.size(); ++i) batch[i].stream_id = parts[i + 1].str();
    return Appended{.rows = std::move(batch), .reset_to = std::nullopt};
  }

  // Marks `rows` published at `now` with the stream ids they got.
  static void Mark(pqxx::work& tx, const std::vector<Pending>& rows, const std::string& now) {
    if (rows.empty()) return;
    std::vector<std::string> ids;
    std::vector<std::string> stream_ids;
    for (const Pending& p : rows) {
      ids.push_back(absl::StrCat(p.id));
      stream_ids.push_back(p.stream_id);  // digits and '-': no quoting needed in an array
    }
    pg::ExecPrepared(
        tx, "integration_outbox_relay_mark",
        "UPDATE outbox SET published_at = $3::timestamptz, "
        "headers = headers || jsonb_build_object('stream_id', s.stream_id) "
        "FROM unnest($1::bigint[], $2::text[]) AS s(id, stream_id) WHERE outbox.id = s.id",
        absl::StrCat("{", absl::StrJoin(ids, ","), "}"),
        absl::StrCat("{", absl::StrJoin(stream_ids, ","), "}"), now);
  }

  // Appends again, with their recorded ids, a batch of the retained published rows that come
  // after `stream_last` (the stream's last generated id after it was lost); the next calls go
  // on until none is left, then new rows follow. Returns how many it appended.
  absl::StatusOr<int> Restore(pqxx::work& tx, const std::string& stream_last) {
    const std::optional<StreamId> after = StreamId::Parse(stream_last);
    if (!after.has_value()) {
      return status::Internal(absl::StrCat("unexpected last id of ", stream, ": ", stream_last));
    }
    pqxx::result rows = pg::ExecPrepared(
        tx, "integration_outbox_relay_restore",
        "SELECT id, event_id::text, event_type, aggregate, payload, "
        "coalesce(headers->>'request_id', ''), coalesce(headers->>'trace_id', ''), "
        "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
        "coalesce(headers->'tenant', '{}'::jsonb)::text, headers->>'stream_id' "
        "FROM outbox, LATERAL (SELECT split_part(headers->>'stream_id', '-', 1)::numeric AS ms, "
        "split_part(headers->>'stream_id', '-', 2)::numeric AS seq) AS sid "
        "WHERE published_at IS NOT NULL AND headers ? 'stream_id' "
        "AND (sid.ms, sid.seq) > ($1::numeric, $2::numeric) "
        "ORDER BY sid.ms, sid.seq LIMIT $3",
        absl::StrCat(after->ms), absl::StrCat(after->seq), options.batch_size);
    std::vector<Pending> batch = ReadRows(rows);
    if (batch.empty()) {
      // Cannot happen: the recorded id that the stream is behind belongs to a retained row.
      return status::Internal(absl::StrCat(stream,
                                           " is behind the outbox, which has no rows to "
                                           "give back"));
    }
    absl::StatusOr<Appended> appended = Append(stream_last, std::move(batch));
    if (!appended.ok()) return appended.status();
    if (appended->reset_to.has_value()) {
      return status::Unavailable(redis::kReasonError,
                                 absl::StrCat(stream, " changed while it was being restored"));
    }
    const int n = static_cast<int>(appended->rows.size());
    log::Warn("outbox_stream_restored", {{"stream", stream}, {"after", stream_last}, {"count", n}});
    absl::MutexLock lock(&mu);
    stats.restored += n;
    return n;
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

  void Run() {
    std::minstd_rand jitter(static_cast<uint32_t>(absl::ToUnixNanos(absl::Now())));
    absl::Duration backoff = absl::ZeroDuration();
    int64_t failures_in_a_row = 0;
    const absl::Duration prune_every = absl::FromChrono(options.prune_interval);
    absl::Time next_prune = absl::Now() + prune_every;
    while (!Stopping()) {
      absl::StatusOr<Batch> n = PublishBatch();
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
        stats.published += n->published;
        stats.healthy = true;
      }
      if (n->published > 0) {
        log::Debug("outbox_published", {{"stream", stream}, {"count", n->published}});
      }
      if (n->more) continue;

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
