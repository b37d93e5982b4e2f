// The admin HTTP endpoint of a service: /metrics, /healthz and /readyz on their own port.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "integration/metrics/metrics.h"

namespace integration::metrics {

// One named readiness condition, e.g. {"postgres", [&] { return pool.Ping(); }}. Checks run on
// the admin server's thread for each /readyz request, so they must be quick (bounded by their
// own timeouts).
struct ReadinessCheck {
  std::string name;
  std::function<absl::Status()> check;
};

// A small HTTP/1.1 server (keep-alive, one thread) answering
//   GET /metrics  200, Prometheus text format of `metrics`
//   GET /healthz  200 "ok" while the process runs
//   GET /readyz   200 when every check is OK and the server is not shutting down, else 503;
//                 body {"status":"ready"|"not_ready","checks":[{"name":…,"ok":…,"error":…}]}
//   other paths 404, other methods 405.
// The gateway never routes to it; it is for the kubelet and Prometheus. Stops on destruction.
class AdminServer {
 public:
  AdminServer(std::shared_ptr<Metrics> metrics, std::vector<ReadinessCheck> checks = {});
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds and starts serving on its own thread. Port 0 picks a free port (see port()).
  // Fails when the address cannot be bound or the server already runs.
  absl::Status Start(uint16_t port, std::string_view bind_address = "0.0.0.0");
  // Closes the listener and every connection and joins the thread. Idempotent.
  void Stop();

  // The bound port after a successful Start, else 0.
  uint16_t port() const;

  // Makes /readyz answer 503 from now on (SIGTERM: leave the load balancer before draining).
  void SetShuttingDown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace integration::metrics
