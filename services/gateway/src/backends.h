// The services behind the gateway: which proto services exist, where each one's backend runs,
// one channel per backend and the watched state of each channel.
#pragma once

#include <google/protobuf/descriptor.h>
#include <grpc/impl/codegen/connectivity_state.h>
#include <grpcpp/generic/generic_stub.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "integration/grpc/client.h"

namespace integration::metrics {
class Metrics;
}  // namespace integration::metrics

namespace integration::gateway {

// The package prefix of every service of the suite: lansstyrelsen.integration.<svc>.v1.
inline constexpr std::string_view kSuitePackagePrefix = "lansstyrelsen.integration.";
// The gateway's own package; its methods are served in-process.
inline constexpr std::string_view kGatewayStem = "gateway";

// "training" for a service of package lansstyrelsen.integration.training.v1; "" when the
// package is not a suite service package (e.g. grpc.health.v1).
std::string ServiceStem(const google::protobuf::ServiceDescriptor& service);

// Every service of the suite compiled into this binary (packages lansstyrelsen.integration.
// <svc>.v1, the gateway's own included), ordered by full name. The gateway links every service
// proto library, so this is the whole suite known at build time.
std::vector<const google::protobuf::ServiceDescriptor*> SuiteServices();

// One entry of --backends: the service stem and its gRPC target.
struct BackendTarget {
  std::string service;  // "training"
  std::string target;   // "127.0.0.1:50055", or any gRPC target URI ("dns:///training:50051")
};

// Parses "training=127.0.0.1:50055,grants=127.0.0.1:50051" (spaces around items ignored; an
// empty string is no backend). INVALID_ARGUMENT naming the bad item: no '=', empty name or
// target, a name that is not a lower-case stem, the same service twice, or "gateway".
absl::StatusOr<std::vector<BackendTarget>> ParseBackends(std::string_view spec);

// What /readyz detail and the metrics show about one backend.
struct BackendState {
  std::string service;
  std::string target;
  grpc_connectivity_state state = GRPC_CHANNEL_IDLE;
  // Connected right now (READY). IDLE counts as down only until the watcher made it connect.
  bool up = false;
  // Whether a proto of this service is compiled in; a backend without one exposes nothing.
  bool known = false;
  absl::Time since;  // when `state` was entered (as seen by the watcher)
  // The last grpc.health.v1 answer of the backend for the whole server (service ""), asked by
  // the watcher while the channel is READY: "SERVING", "NOT_SERVING", "UNKNOWN" (the status
  // field was unset), the gRPC code name of a failed probe ("UNAVAILABLE", "DEADLINE_EXCEEDED",
  // "UNIMPLEMENTED" …), or "" when no probe has answered yet.
  std::string health;
  absl::Time health_at = absl::InfinitePast();  // when that answer came
  // READY and the last probe said SERVING: what the gateway's /readyz detail reports as ok.
  bool healthy() const { return up && health == "SERVING"; }
};

// The one-line description of a backend in /readyz, e.g. "target 127.0.0.1:50055; channel
// READY for 12s; health SERVING 0.4s ago". `now` makes it testable.
std::string DescribeBackend(const BackendState& state, absl::Time now);

// "READY", "TRANSIENT_FAILURE", ...
std::string_view StateName(grpc_connectivity_state state);

// The configured backends. Created once at start; thread-safe.
class Backends {
 public:
  // Makes one channel per target (lazy: nothing connects here) and starts the watcher thread,
  // which asks each channel to connect, records state changes (log line, gauge
  // backend_up{service} on `metrics` when given) and, while a backend is down, resets the
  // channel's reconnect backoff so that a backend that comes back is used within about
  // `watch_interval` instead of after gRPC's backoff of up to two minutes. While a channel is
  // READY the watcher also asks the backend's grpc.health.v1 Check (asynchronously, at most
  // one probe per backend in flight, each bounded by `health_timeout`), so that a backend that
  // is connected but NOT_SERVING (its database down) shows as such; gauge
  // backend_serving{service}, log line "backend_health" on each change. Errors: bad channel
  // options (TLS files), intervals not > 0.
  static absl::StatusOr<std::unique_ptr<Backends>> Create(
      std::vector<BackendTarget> targets, const grpc::ChannelOptions& channel_options,
      std::shared_ptr<metrics::Metrics> metrics,
      std::chrono::milliseconds watch_interval = std::chrono::milliseconds(1000),
      std::chrono::milliseconds health_timeout = std::chrono::milliseconds(1000));
  // Stops the watcher and waits for probes in flight.
  ~Backends();
  Backends(const Backends&) = delete;
  Backends& operator=(const Backends&) = delete;

  // The stub of the backend of `service` (a stem); null when none is configured.
  ::grpc::GenericStub* Stub(std::string_view service) const;
  bool Configured(std::string_view service) const { return Stub(service) != nullptr; }
  // Configured service stems, in configuration order.
  std::vector<std::string> Services() const;
  // The current state of every backend, in configuration order.
  std::vector<BackendState> States() const;
  // The state of the backend of `service`; nullopt when none is configured. Only reads what the
  // watcher recorded (no I/O), so the admin thread may call it on every /readyz.
  std::optional<BackendState> State(std::string_view service) const;
  // A one-line summary for readiness detail and logs, e.g.
  // "training=READY echo=TRANSIENT_FAILURE". Never a readiness failure: the gateway serves
  // (with UNAVAILABLE for the calls that need a down backend) whatever the backends do.
  std::string Summary() const;
  // Stops the watcher thread, cancels health probes in flight and waits for them. Idempotent.
  void Stop();

 private:
  struct Backend;
  struct Probe;
  Backends(std::vector<std::unique_ptr<Backend>> backends, std::chrono::milliseconds interval,
           std::chrono::milliseconds health_timeout);
  void WatchLoop();
  void Observe(Backend& backend);
  void StartProbe(Backend& backend);
  static void FinishProbe(Backend& backend, const ::grpc::Status& status,
                          const std::string& response);
  static BackendState Snapshot(const Backend& backend);

  const std::vector<std::unique_ptr<Backend>> backends_;
  const std::chrono::milliseconds interval_;
  const std::chrono::milliseconds health_timeout_;
  mutable absl::Mutex mu_;
  absl::CondVar wake_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread watcher_;
};

}  // namespace integration::gateway
