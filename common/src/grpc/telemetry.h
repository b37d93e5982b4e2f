// The runtime's use of the metrics concern (RPC counters and latency, executor queue gauge,
// admin HTTP server), kept in one place.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace integration::metrics {
class AdminServer;
}  // namespace integration::metrics

namespace integration::grpc::internal {

// Counts one finished call: requests by service, method and code, and its latency.
void RecordRpc(std::string_view service, std::string_view method, std::string_view code,
               absl::Duration latency);
// A callback setting the executor queue depth gauge of `service`.
std::function<void(size_t)> QueueDepthGauge(std::string_view service);
// Starts the admin HTTP server on `address` with /metrics, /healthz and /readyz (answered by
// `readiness`).
absl::StatusOr<std::unique_ptr<metrics::AdminServer>> StartAdmin(
    std::string_view address, std::function<absl::Status()> readiness);
// The bound port of `admin`, 0 for none.
int AdminPort(const metrics::AdminServer* admin);
// /readyz answers "not ready" from now on (shutdown began).
void SetAdminNotReady(metrics::AdminServer* admin);

}  // namespace integration::grpc::internal
