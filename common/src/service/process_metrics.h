// Prometheus gauges of a service process's PostgreSQL pool, Redis pool and outbox, refreshed
// before every scrape of the admin port's /metrics.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "integration/metrics/metrics.h"
#include "integration/outbox/relay.h"
#include "integration/pg/pool.h"
#include "integration/redis/client.h"

namespace integration::service::internal {

class ProcessMetrics {
 public:
  // Creates the metrics (label service=<service>) on `registry` and installs the scrape hook,
  // which holds the result weakly: once the last owner drops it, scrapes skip it.
  static absl::StatusOr<std::shared_ptr<ProcessMetrics>> Register(metrics::Metrics& registry,
                                                                  std::string_view service);

  // What the hook reads. `relay_stats` yields nullopt while no relay runs. The objects must
  // stay alive until Detach().
  void Attach(pg::Pool* pool, redis::Client* redis,
              std::function<std::optional<outbox::RelayStats>()> relay_stats);
  // Waits for a running refresh, then forgets the objects.
  void Detach();

  // Reads the pools (cheap) and measures the outbox lag (one query, bounded to a second).
  void Refresh();

  // The registered metrics (Register makes them).
  struct Handles {
    prometheus::Gauge* pg_size = nullptr;
    prometheus::Gauge* pg_open = nullptr;
    prometheus::Gauge* pg_in_use = nullptr;
    prometheus::Counter* pg_acquire_timeouts = nullptr;
    prometheus::Counter* pg_reconnects = nullptr;
    prometheus::Gauge* redis_open = nullptr;
    prometheus::Gauge* redis_in_use = nullptr;
    prometheus::Counter* redis_connect_failures = nullptr;
    prometheus::Gauge* outbox_unpublished = nullptr;
    prometheus::Gauge* outbox_oldest_age = nullptr;
    prometheus::Gauge* relay_healthy = nullptr;
    prometheus::Counter* outbox_published = nullptr;
  };

  explicit ProcessMetrics(Handles handles) : handles_(handles) {}

 private:
  // Cumulative values already added to the counters (the sources report totals).
  struct Totals {
    int64_t pg_acquire_timeouts = 0;
    int64_t pg_reconnects = 0;
    int64_t redis_connect_failures = 0;
    int64_t outbox_published = 0;
  };
  const Handles handles_;
  absl::Mutex mu_;
  pg::Pool* pool_ ABSL_GUARDED_BY(mu_) = nullptr;
  redis::Client* redis_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::function<std::optional<outbox::RelayStats>()> relay_stats_ ABSL_GUARDED_BY(mu_);
  Totals totals_ ABSL_GUARDED_BY(mu_);
};

}  // namespace integration::service::internal
