// The consumer thread: reads a stream in a consumer group, handles each event once per group
// (handled_events in the handler's transaction) and acknowledges it after the commit.
#include "integration/outbox/consumer.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/memory/memory.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "integration/log/log.h"
#include "integration/status/status.h"
#include "integration/text/uuid.h"

namespace integration::outbox {
namespace {

// A stream entry as read; `deleted` when the group still lists it as pending but the stream
// no longer holds it (trimmed by MAXLEN).
struct Entry {
  std::string id;
  bool deleted = false;
  std::map<std::string, std::string> fields;
};

// XREADGROUP answers nil on timeout, else [[stream, [[id, [field, value, …] | nil], …]]].
std::vector<Entry> ParseEntries(const redis::Reply& reply) {
  std::vector<Entry> out;
  for (const redis::Reply& per_stream : reply.elements()) {
    if (per_stream.elements().size() != 2) continue;
    for (const redis::Reply& item : per_stream.elements()[1].elements()) {
      if (item.elements().size() != 2) continue;
      Entry e;
      e.id = item.elements()[0].str();
      const redis::Reply& fields = item.elements()[1];
      if (fields.is_nil()) {
        e.deleted = true;
      } else {
        const auto& kv = fields.elements();
        for (size_t i = 0; i + 1 < kv.size(); i += 2) e.fields[kv[i].str()] = kv[i + 1].str();
      }
      out.push_back(std::move(e));
    }
  }
  return out;
}

std::string FieldOr(const Entry& e, const std::string& name) {
  auto it = e.fields.find(name);
  return it == e.fields.end() ? std::string() : it->second;
}

// Failures that another attempt can cure; anything else is a fault of this event or handler.
bool IsTransient(const absl::Status& st) {
  switch (st.code()) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kResourceExhausted:
      return true;
    default:
      return false;
  }
}

}  // namespace

struct Consumer::Impl {
  Impl(pg::Pool& p, redis::Client& r, ConsumerOptions o, Handler h)
      : pool(p), redis(r), options(std::move(o)), handler(std::move(h)) {}

  absl::Status EnsureGroup() {
    absl::StatusOr<redis::Reply> r = redis.Command(
        {"XGROUP", "CREATE", options.stream, options.group, options.start_id, "MKSTREAM"});
    if (r.ok() || redis::IsRedisError(r.status(), "BUSYGROUP")) return absl::OkStatus();
    return r.status();
  }

  absl::Status Ack(const std::string& id) {
    absl::StatusOr<redis::Reply> r = redis.Command({"XACK", options.stream, options.group, id});
    if (!r.ok()) return r.status();
    absl::MutexLock lock(&mu);
    ++stats.acked;
    return absl::OkStatus();
  }

  // Handles one entry. A non-OK result is transient: the caller backs off and re-reads the
  // pending entries. Permanent failures are logged and counted here and return OK.
  absl::Status Process(const Entry& entry) {
    if (entry.deleted) return Ack(entry.id);
    ReceivedEvent ev;
    ev.stream_id = entry.id;
    std::optional<std::string> event_id = text::NormalizeUuid(FieldOr(entry, "event_id"));
    if (!event_id.has_value()) {
      log::Error("event_malformed",
                 {{"stream", options.stream}, {"stream_id", entry.id}, {"group", options.group}});
      {
        absl::MutexLock lock(&mu);
        ++stats.malformed;
      }
      return Ack(entry.id);  // no attempt can ever handle it
    }
    ev.event_id = *std::move(event_id);
    ev.type = FieldOr(entry, "type");
    ev.aggregate = FieldOr(entry, "aggregate");
    ev.payload = FieldOr(entry, "payload");
    ev.request_id = FieldOr(entry, "request_id");
    ev.trace_id = FieldOr(entry, "trace_id");
    ev.created_at = FieldOr(entry, "created_at");

    log::ScopedContext context(ev.request_id, ev.trace_id);
    bool duplicate = false;
    const absl::Time deadline = absl::Now() + absl::FromChrono(options.transaction_timeout);
    absl::Status st = pool.Transact(deadline, [&](pqxx::work& tx) -> absl::Status {
      // The marker row and the handler's effects commit together or not at all.
      pqxx::result r = tx.exec_params(
          "INSERT INTO handled_events (consumer, event_id) VALUES ($1, $2::uuid) "
          "ON CONFLICT DO NOTHING",
          options.group, ev.event_id);
      duplicate = r.affected_rows() == 0;
      if (duplicate) return absl::OkStatus();
      return handler(tx, ev);
    });
    if (!st.ok()) {
      {
        absl::MutexLock lock(&mu);
        ++stats.failed;
      }
      const std::string code = absl::StatusCodeToString(st.code());
      const std::string error(st.message());
      const log::Fields fields = {
          {"stream", options.stream}, {"group", options.group}, {"event_id", ev.event_id},
          {"type", ev.type},          {"code", code},           {"error", error}};
      if (IsTransient(st)) {
        log::Warn("event_handling_failed", fields);
        return st;
      }
      // Left pending (not acked): visible in XPENDING and retried on the next pass over the
      // pending entries, while the events behind it go on.
      log::Error("event_handling_failed", fields);
      return absl::OkStatus();
    }
    {
      absl::MutexLock lock(&mu);
      ++(duplicate ? stats.duplicates : stats.handled);
    }
    return Ack(entry.id);
  }

  void Run() {
    std::minstd_rand jitter(static_cast<uint32_t>(absl::ToUnixNanos(absl::Now())));
    absl::Duration backoff = absl::ZeroDuration();
    bool group_ready = false;
    // First this consumer's pending entries (delivered before a crash or a failure, never
    // acknowledged), walked from id 0; then new entries (">").
    bool reading_pending = true;
    std::string pending_cursor = "0";
    auto fail = [&](const absl::Status& st, std::string_view what) {
      if (backoff == absl::ZeroDuration()) {
        log::Warn("event_consumer_failed", {{"stream", options.stream},
                                            {"group", options.group},
                                            {"step", what},
                                            {"error", std::string(st.message())}});
      }
      backoff = backoff == absl::ZeroDuration()
                    ? absl::FromChrono(options.min_backoff)
                    : std::min(backoff * 2, absl::FromChrono(options.max_backoff));
      const int64_t spread = std::max<int64_t>(1, absl::ToInt64Milliseconds(backoff) / 2);
      Sleep(backoff + absl::Milliseconds(static_cast<int64_t>(jitter() % spread)));
      reading_pending = true;
      pending_cursor.assign(1, '0');  // (not = "0": GCC 12 -Wrestrict false positive at -O2)
    };

    while (!Stopping()) {
      if (!group_ready) {
        absl::Status st = EnsureGroup();
        if (!st.ok()) {
          fail(st, "create_group");
          continue;
        }
        group_ready = true;
      }
      std::vector<std::string> read = {"XREADGROUP",     "GROUP", options.group,
                                       options.consumer, "COUNT", absl::StrCat(options.count)};
      if (!reading_pending) {
        read.insert(read.end(), {"BLOCK", absl::StrCat(options.block.count())});
      }
      read.insert(read.end(), {"STREAMS", options.stream, reading_pending ? pending_cursor : ">"});
      absl::StatusOr<redis::Reply> reply = redis.Command(read);
      if (!reply.ok()) {
        // The stream or group may have vanished (NOGROUP after a restart of Redis without
        // persistence, UNBLOCKED when the key was deleted): creating it again is harmless.
        group_ready = false;
        fail(reply.status(), "read");
        continue;
      }
      std::vector<Entry> entries = ParseEntries(*reply);
      if (reading_pending && entries.empty()) {
        reading_pending = false;
        continue;
      }
      bool failed = false;
      for (const Entry& entry : entries) {
        if (Stopping()) return;
        if (reading_pending) pending_cursor = entry.id;
        absl::Status st = Process(entry);
        if (!st.ok()) {
          fail(st, "handle");
          failed = true;
          break;
        }
      }
      if (!failed && backoff != absl::ZeroDuration()) {
        log::Info("event_consumer_recovered",
                  {{"stream", options.stream}, {"group", options.group}});
        backoff = absl::ZeroDuration();
      }
    }
  }

  bool Stopping() {
    absl::MutexLock lock(&mu);
    return stopping;
  }

  void Sleep(absl::Duration d) {
    absl::MutexLock lock(&mu);
    auto stop = [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return stopping; };
    mu.AwaitWithTimeout(absl::Condition(&stop), d);
  }

  pg::Pool& pool;
  redis::Client& redis;
  const ConsumerOptions options;
  const Handler handler;

  mutable absl::Mutex mu;
  bool stopping ABSL_GUARDED_BY(mu) = false;
  ConsumerStats stats ABSL_GUARDED_BY(mu);
  absl::Mutex join_mu;  // Stop() may be called from several threads; only one joins
  std::thread thread;
};

absl::StatusOr<std::unique_ptr<Consumer>> Consumer::Start(pg::Pool& pool, redis::Client& redis,
                                                          ConsumerOptions options,
                                                          Handler handler) {
  status::FieldErrors errors;
  if (options.stream.empty()) errors.Add("stream", "must not be empty");
  if (options.group.empty()) errors.Add("group", "must not be empty");
  if (options.consumer.empty()) errors.Add("consumer", "must not be empty");
  if (options.count < 1) errors.Add("count", "must be at least 1");
  if (options.block.count() <= 0) {
    errors.Add("block", "must be positive");
  } else if (options.block >= redis.options().command_timeout) {
    errors.Add("block", absl::StrCat("must be shorter than the redis command timeout (",
                                     redis.options().command_timeout.count(), " ms)"));
  }
  if (options.start_id.empty()) errors.Add("start_id", "must be \"0\", \"$\" or an entry id");
  if (options.min_backoff.count() <= 0) errors.Add("min_backoff", "must be positive");
  if (options.max_backoff < options.min_backoff) {
    errors.Add("max_backoff", "must not be less than min_backoff");
  }
  if (options.transaction_timeout.count() <= 0) {
    errors.Add("transaction_timeout", "must be positive");
  }
  if (!handler) errors.Add("handler", "must be set");
  if (absl::Status st = errors.ToStatus(); !st.ok()) return st;

  auto impl = std::make_unique<Impl>(pool, redis, std::move(options), std::move(handler));
  Impl* raw = impl.get();
  std::unique_ptr<Consumer> consumer = absl::WrapUnique(new Consumer(std::move(impl)));
  raw->thread = std::thread([raw] { raw->Run(); });
  log::Info("event_consumer_started", {{"stream", raw->options.stream},
                                       {"group", raw->options.group},
                                       {"consumer", raw->options.consumer}});
  return consumer;
}

Consumer::Consumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Consumer::~Consumer() { Stop(); }

void Consumer::Stop() {
  {
    absl::MutexLock lock(&impl_->mu);
    impl_->stopping = true;
  }
  absl::MutexLock lock(&impl_->join_mu);
  if (impl_->thread.joinable()) impl_->thread.join();
}

ConsumerStats Consumer::Stats() const {
  absl::MutexLock lock(&impl_->mu);
  return impl_->stats;
}

}  // namespace integration::outbox
