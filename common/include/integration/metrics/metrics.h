// The process's Prometheus registry with the RPC metrics and a place for other gauges.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace integration::metrics {

using Labels = std::map<std::string, std::string>;

// One per process, shared (std::shared_ptr) by the gRPC layer, the pools, the outbox relay and
// the admin server. Thread-safe.
class Metrics {
 public:
  // Latency buckets of grpc_server_handling_seconds, in seconds: 1 ms to 10 s.
  static const std::vector<double>& RpcLatencyBuckets();

  Metrics();
  explicit Metrics(std::shared_ptr<prometheus::Registry> registry);
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }

  // One finished RPC: grpc_server_handled_total{grpc_method,grpc_code} += 1 and an
  // observation of grpc_server_handling_seconds{grpc_method}. `method` is the full gRPC method
  // ("/lansstyrelsen.integration.grants.v1.GrantsService/GetCall"), `code` the upper-case code
  // name ("OK", "NOT_FOUND").
  void RecordRpc(std::string_view method, std::string_view code, double seconds);

  // A metric on the shared registry; the same name and labels return the same object, which
  // lives as long as this Metrics. Errors (invalid name or label, a name already used by
  // another metric type) come back as INVALID_ARGUMENT.
  absl::StatusOr<prometheus::Gauge*> Gauge(std::string_view name, std::string_view help,
                                           const Labels& labels = {});
  absl::StatusOr<prometheus::Counter*> Counter(std::string_view name, std::string_view help,
                                               const Labels& labels = {});
  absl::StatusOr<prometheus::Histogram*> Histogram(std::string_view name, std::string_view help,
                                                   const std::vector<double>& buckets,
                                                   const Labels& labels = {});

  // Runs `hook` before every scrape, so a gauge can be set from state that is cheap to read
  // but not worth updating on every change (e.g. pool usage, outbox lag).
  void OnScrape(std::function<void()> hook);

  // The Prometheus text exposition format (version 0.0.4) of every metric, after the hooks.
  std::string Serialize() const;

 private:
  struct MethodMetrics {
    prometheus::Histogram* latency = nullptr;
    std::map<std::string, prometheus::Counter*, std::less<>> handled_by_code;
  };

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& handling_seconds_;

  mutable absl::Mutex mu_;
  std::map<std::string, MethodMetrics, std::less<>> methods_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void()>> hooks_ ABSL_GUARDED_BY(mu_);
};

}  // namespace integration::metrics
