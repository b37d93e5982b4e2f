// Pool, Redis and outbox gauges of a service process, refreshed by a scrape hook.
#include "process_metrics.h"

#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "integration/log/log.h"

namespace integration::service::internal {
namespace {

// Adds to `counter` what `total` grew by since `*seen`; a total that went back (a source was
// replaced) only moves the baseline, because a Prometheus counter never decreases.
void Advance(prometheus::Counter* counter, int64_t total, int64_t* seen) {
  if (total > *seen) counter->Increment(static_cast<double>(total - *seen));
  *seen = total;
}

}  // namespace

absl::StatusOr<std::shared_ptr<ProcessMetrics>> ProcessMetrics::Register(metrics::Metrics& registry,
                                                                         std::string_view service) {
  const metrics::Labels labels = {{"service", std::string(service)}};
  auto with_state = [&](std::string_view state) {
    metrics::Labels l = labels;
    l["state"] = std::string(state);
    return l;
  };
  Handles h;
  // One error check for all: a failure here is a name clash, a programming error.
  absl::Status error;
  auto gauge = [&](std::string_view name, std::string_view help,
                   const metrics::Labels& l) -> prometheus::Gauge* {
    absl::StatusOr<prometheus::Gauge*> g = registry.Gauge(name, help, l);
    if (!g.ok()) {
      error.Update(g.status());
      return nullptr;
    }
    return *g;
  };
  auto counter = [&](std::string_view name, std::string_view help) -> prometheus::Counter* {
    absl::StatusOr<prometheus::Counter*> c = registry.Counter(name, help, labels);
    if (!c.ok()) {
      error.Update(c.status());
      return nullptr;
    }
    return *c;
  };
  h.pg_size = gauge("integration_pg_pool_max_connections",
                    "Most PostgreSQL connections the pool opens", labels);
  h.pg_open = gauge("integration_pg_pool_connections", "PostgreSQL connections by state",
                    with_state("open"));
  h.pg_in_use = gauge("integration_pg_pool_connections", "PostgreSQL connections by state",
                      with_state("in_use"));
  h.pg_acquire_timeouts = counter("integration_pg_pool_acquire_timeouts_total",
                                  "Calls that found no free PostgreSQL connection in time");
  h.pg_reconnects = counter("integration_pg_pool_reconnects_total",
                            "PostgreSQL connections re-opened after they broke");
  h.redis_open =
      gauge("integration_redis_pool_connections", "Redis connections by state", with_state("open"));
  h.redis_in_use = gauge("integration_redis_pool_connections", "Redis connections by state",
                         with_state("in_use"));
  h.redis_connect_failures =
      counter("integration_redis_connect_failures_total", "Failed attempts to connect to Redis");
  h.outbox_unpublished = gauge("integration_outbox_unpublished_events",
                               "Committed events the relay has not published yet", labels);
  h.outbox_oldest_age = gauge("integration_outbox_oldest_unpublished_age_seconds",
                              "Age of the oldest unpublished event (0 when none waits)", labels);
  h.relay_healthy =
      gauge("integration_outbox_relay_healthy",
            "1 when the relay's last attempt succeeded (Redis and PostgreSQL up)", labels);
  h.outbox_published = counter("integration_outbox_published_events_total",
                               "Events published to the service's Redis stream");
  if (!error.ok()) return error;

  auto self = std::make_shared<ProcessMetrics>(h);
  registry.OnScrape([weak = std::weak_ptr<ProcessMetrics>(self)] {
    if (std::shared_ptr<ProcessMetrics> live = weak.lock()) live->Refresh();
  });
  return self;
}

void ProcessMetrics::Attach(pg::Pool* pool, redis::Client* redis,
                            std::function<std::optional<outbox::RelayStats>()> relay_stats) {
  absl::MutexLock lock(&mu_);
  pool_ = pool;
  redis_ = redis;
  relay_stats_ = std::move(relay_stats);
}

void ProcessMetrics::Detach() {
  absl::MutexLock lock(&mu_);
  pool_ = nullptr;
  redis_ = nullptr;
  relay_stats_ = nullptr;
}

void ProcessMetrics::Refresh() {
  absl::MutexLock lock(&mu_);
  if (pool_ != nullptr) {
    const pg::PoolStats s = pool_->Stats();
    handles_.pg_size->Set(s.size);
    handles_.pg_open->Set(s.open);
    handles_.pg_in_use->Set(s.in_use);
    Advance(handles_.pg_acquire_timeouts, s.acquire_timeouts, &totals_.pg_acquire_timeouts);
    Advance(handles_.pg_reconnects, s.reconnects, &totals_.pg_reconnects);
    // A scrape must not hang on a dead database; a failed measurement keeps the last values.
    absl::StatusOr<outbox::OutboxLag> lag =
        outbox::MeasureLag(*pool_, absl::Now() + absl::Seconds(1));
    if (lag.ok()) {
      handles_.outbox_unpublished->Set(static_cast<double>(lag->unpublished));
      handles_.outbox_oldest_age->Set(lag->oldest_age_seconds);
    } else {
      const absl::string_view error = lag.status().message();
      log::Debug("outbox_lag_unavailable",
                 {{"error", std::string_view(error.data(), error.size())}});
    }
  }
  if (redis_ != nullptr) {
    const redis::ClientStats s = redis_->Stats();
    handles_.redis_open->Set(s.open);
    handles_.redis_in_use->Set(s.in_use);
    Advance(handles_.redis_connect_failures, s.connect_failures, &totals_.redis_connect_failures);
  }
  if (relay_stats_) {
    if (std::optional<outbox::RelayStats> s = relay_stats_(); s.has_value()) {
      handles_.relay_healthy->Set(s->healthy ? 1 : 0);
      Advance(handles_.outbox_published, s->published, &totals_.outbox_published);
    }
  }
}

}  // namespace integration::service::internal
