// The shared Prometheus registry: RPC counters and latency histograms, custom metrics, scraping.
#include "integration/metrics/metrics.h"

#include <exception>
#include <utility>

#include "prometheus/text_serializer.h"

namespace integration::metrics {
namespace {

prometheus::Labels ToLabels(const Labels& labels) {
  return prometheus::Labels(labels.begin(), labels.end());
}

// prometheus-cpp reports bad names and type clashes by throwing; nothing throws past us.
template <typename Fn>
auto Guard(std::string_view name, Fn&& fn) -> absl::StatusOr<decltype(fn())> {
  try {
    return fn();
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError("metric " + std::string(name) + ": " + e.what());
  }
}

}  // namespace

const std::vector<double>& Metrics::RpcLatencyBuckets() {
  static const std::vector<double> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                               0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

Metrics::Metrics() : Metrics(std::make_shared<prometheus::Registry>()) {}

Metrics::Metrics(std::shared_ptr<prometheus::Registry> registry)
    : registry_(registry != nullptr ? std::move(registry)
                                    : std::make_shared<prometheus::Registry>()),
      // Fixed, valid names: these cannot throw unless the registry already holds the names
      // with another type, which is a wiring bug worth failing loudly at start-up.
      handled_(prometheus::BuildCounter()
                   .Name("grpc_server_handled_total")
                   .Help("Total number of RPCs completed on the server, by method and code.")
                   .Register(*registry_)),
      handling_seconds_(prometheus::BuildHistogram()
                            .Name("grpc_server_handling_seconds")
                            .Help("Time from receiving an RPC to sending its status, by method.")
                            .Register(*registry_)) {}

void Metrics::RecordRpc(std::string_view method, std::string_view code, double seconds) {
  prometheus::Histogram* latency;
  prometheus::Counter* handled;
  {
    absl::MutexLock lock(&mu_);
    auto it = methods_.find(method);
    if (it == methods_.end()) {
      MethodMetrics fresh;
      fresh.latency =
          &handling_seconds_.Add({{"grpc_method", std::string(method)}}, RpcLatencyBuckets());
      it = methods_.emplace(std::string(method), std::move(fresh)).first;
    }
    auto by_code = it->second.handled_by_code.find(code);
    if (by_code == it->second.handled_by_code.end()) {
      prometheus::Counter* counter =
          &handled_.Add({{"grpc_method", std::string(method)}, {"grpc_code", std::string(code)}});
      by_code = it->second.handled_by_code.emplace(std::string(code), counter).first;
    }
    latency = it->second.latency;
    handled = by_code->second;
  }
  handled->Increment();
  latency->Observe(seconds < 0 ? 0 : seconds);
}

absl::StatusOr<prometheus::Gauge*> Metrics::Gauge(std::string_view name, std::string_view help,
                                                  const Labels& labels) {
  return Guard(name, [&] {
    return &prometheus::BuildGauge()
                .Name(std::string(name))
                .Help(std::string(help))
                .Register(*registry_)
                .Add(ToLabels(labels));
  });
}

absl::StatusOr<prometheus::Counter*> Metrics::Counter(std::string_view name, std::string_view help,
                                                      const Labels& labels) {
  return Guard(name, [&] {
    return &prometheus::BuildCounter()
                .Name(std::string(name))
                .Help(std::string(help))
                .Register(*registry_)
                .Add(ToLabels(labels));
  });
}

absl::StatusOr<prometheus::Histogram*> Metrics::Histogram(std::string_view name,
                                                          std::string_view help,
                                                          const std::vector<double>& buckets,
                                                          const Labels& labels) {
  return Guard(name, [&] {
    return &prometheus::BuildHistogram()
                .Name(std::string(name))
                .Help(std::string(help))
                .Register(*registry_)
                .Add(ToLabels(labels), buckets);
  });
}

void Metrics::OnScrape(std::function<void()> hook) {
  absl::MutexLock lock(&mu_);
  hooks_.push_back(std::move(hook));
}

std::string Metrics::Serialize() const {
  std::vector<std::function<void()>> hooks;
  {
    absl::MutexLock lock(&mu_);
    hooks = hooks_;
  }
  // Outside the lock: a hook may register metrics or record RPCs itself.
  for (const auto& hook : hooks) hook();
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace integration::metrics
