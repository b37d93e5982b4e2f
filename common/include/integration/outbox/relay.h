// The outbox relay: a thread that publishes committed outbox rows to the service's Redis
// stream and marks them published (at-least-once; rows wait while Redis is down).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "integration/pg/pool.h"
#include "integration/redis/client.h"

namespace integration::outbox {

struct RelayOptions {
  std::string service;  // lowercase [a-z0-9_]+; the stream is StreamName(service)
  std::chrono::milliseconds poll_interval{500};  // between polls when the outbox is drained
  // After a nudge the relay waits this long before it polls, so that the events of commits
  // that land together go out in one batch (one transaction and one pipeline instead of one
  // per commit); 0 polls at once.
  std::chrono::milliseconds nudge_delay{5};
  int batch_size = 100;                          // rows per transaction
  // XADD … MAXLEN ~ stream_max_len (approximate trimming); 0 = never trim.
  int64_t stream_max_len = 1'000'000;
  // After a failed attempt (Redis or PostgreSQL down) the relay waits min_backoff, doubling up
  // to max_backoff, with jitter; nudges do not shorten the wait.
  std::chrono::milliseconds min_backoff{250};
  std::chrono::milliseconds max_backoff{15'000};
  std::chrono::milliseconds transaction_timeout{10'000};
  // Published rows older than this are deleted (in bounded batches, every prune_interval);
  // 0 = keep.
  std::chrono::hours published_retention{24 * 7};
  // Rows of the schema's request_ids table (store::RuntimeTablesSql: the stored responses of
  // idempotent calls, which hold names and e-mail addresses) older than this are deleted the
  // same way; a retry after that is answered as a new request. 0 = keep.
  std::chrono::seconds request_id_retention{24 * 3600 * 7};
  // How often the deletions run (when the outbox is drained).
  std::chrono::milliseconds prune_interval{60'000};
  // Redis without persistence that restarts comes back empty: events published to it shortly
  // before and not yet read are gone. The relay notices a restart (the server's run_id changed,
  // checked at most once per redis_check_interval) and publishes again what it published in the
  // republish_window before; readers de-duplicate by event id. 0 = never.
  std::chrono::seconds republish_window{15 * 60};
  std::chrono::milliseconds redis_check_interval{1'000};
};

// The gauge values for outbox lag: how many rows wait and how old the oldest is.
struct OutboxLag {
  int64_t unpublished = 0;
  double oldest_age_seconds = 0;  // 0 when nothing waits
};

// Measures the lag of the outbox visible through `pool` (its search_path schema).
absl::StatusOr<OutboxLag> MeasureLag(pg::Pool& pool, absl::Time deadline);

struct RelayStats {
  int64_t published = 0;        // events written to the stream and marked published
  int64_t failed_attempts = 0;  // batches rolled back (Redis or PostgreSQL failures)
  int64_t pruned = 0;           // published rows deleted after the retention
  int64_t request_ids_pruned = 0;  // request_ids rows deleted after their retention
  bool healthy = true;          // whether the last attempt succeeded
  int64_t republished = 0;      // events published again after a restart of Redis
};

class Relay {
 public:
  // Validates the options and starts the thread. `pool` (search_path = the service schema,
  // where OutboxTableSql was applied) and `redis` must outlive the relay.
  static absl::StatusOr<std::unique_ptr<Relay>> Start(pg::Pool& pool, redis::Client& redis,
                                                      RelayOptions options);
  // Stops and joins the thread.
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Asks for a poll now (e.g. after a commit that enqueued events) instead of at the next
  // interval. Cheap; ignored while backing off after a failure.
  void Nudge();
  // Finishes the batch in progress, then stops the thread. Idempotent.
  void Stop();

  absl::StatusOr<OutboxLag> Lag(absl::Time deadline);
  RelayStats Stats() const;
  const std::string& stream() const;

 private:
  struct Impl;
  explicit Relay(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace integration::outbox
