// Consuming a service's event stream in a Redis consumer group with an exactly-once effect:
// each event is handled in a PostgreSQL transaction that also records its id.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "integration/pg/pool.h"
#include "integration/redis/client.h"

namespace integration::outbox {

// An event as read from a stream (fields written by the relay).
struct ReceivedEvent {
  std::string stream_id;  // the Redis entry id, e.g. "1700000000000-0"
  std::string event_id;   // lowercase UUID
  std::string type;
  std::string aggregate;
  std::string payload;  // bytes
  std::string request_id;
  std::string trace_id;
  std::string created_at;  // RFC 3339, UTC
};

// Runs inside the transaction that records the event as handled. OK commits (the event will
// not be handed over again); UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED and RESOURCE_EXHAUSTED
// roll back and retry after a backoff; any other error rolls back, is logged, and leaves the
// entry pending in the group (retried when the consumer restarts or next re-reads its pending
// entries) while later events go on. libpqxx exceptions are handled by pg::Pool::Transact.
using Handler = std::function<absl::Status(pqxx::work& tx, const ReceivedEvent& event)>;

struct ConsumerOptions {
  std::string stream;  // e.g. StreamName("training")
  // The consumer group; also the `consumer` recorded in handled_events, so the exactly-once
  // effect holds for the whole group (every replica of the consuming service).
  std::string group;
  std::string consumer;  // this member's name within the group, unique per process (pod name)
  int count = 32;        // entries per XREADGROUP
  // XREADGROUP BLOCK; must be shorter than the redis client's command_timeout. Stop() waits
  // for at most about this long.
  std::chrono::milliseconds block{1000};
  // Where a newly created group starts: "0" = the whole retained stream, "$" = new entries.
  std::string start_id = "0";
  std::chrono::milliseconds min_backoff{250};
  std::chrono::milliseconds max_backoff{15'000};
  std::chrono::milliseconds transaction_timeout{10'000};
};

struct ConsumerStats {
  int64_t handled = 0;     // handler committed
  int64_t duplicates = 0;  // already in handled_events: handler skipped, entry acked
  int64_t failed = 0;      // handler or transaction failed (rolled back, not acked)
  int64_t malformed = 0;   // entries without a valid event_id: logged and acked
  int64_t acked = 0;
};

class Consumer {
 public:
  // Validates the options and starts the thread, which creates the group (XGROUP CREATE …
  // MKSTREAM, an existing group is fine), first re-reads this consumer's pending entries (read
  // but not acknowledged before a crash) and then reads new ones. `pool` (search_path = the
  // schema holding handled_events) and `redis` must outlive the consumer.
  static absl::StatusOr<std::unique_ptr<Consumer>> Start(pg::Pool& pool, redis::Client& redis,
                                                         ConsumerOptions options, Handler handler);
  // Stops and joins the thread.
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Finishes the event in progress, then stops the thread. Idempotent.
  void Stop();
  ConsumerStats Stats() const;

 private:
  struct Impl;
  explicit Consumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace integration::outbox
