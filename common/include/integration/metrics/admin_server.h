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

// What a non-gating check found: whether the thing it watches is fine, and a short text for
// the operator reading /readyz (the state seen, e.g. "channel READY for 12s; health SERVING").
struct CheckResult {
  bool ok = false;
  std::string message;
};

// A non-gating check: reported in the /readyz body like a ReadinessCheck, but its result never
// turns /readyz into 503. For dependencies the process keeps serving without, whose state an
// operator still wants to see next to readiness (the gateway's backends: a down backend costs
// only the calls that need it, so taking the gateway out of the load balancer would be wrong).
// Runs on the admin thread for each /readyz request like a ReadinessCheck: report a state kept
// up to date elsewhere, never do I/O here.
struct ReadinessReport {
  std::string name;
  std::function<CheckResult()> report;
};

// An HTTP/1.1 endpoint on the shared server (integration/http, keep-alive, one thread) answering
//   GET /metrics  200, Prometheus text format of `metrics`
//   GET /healthz  200 "ok" while the process runs
//   GET /readyz   200 when every gating check is OK and the server is not shutting down, else
//                 503. Body {"status":"ready"|"not_ready","checks":[…]} with one object per
//                 check, gating ones first (in order), then the non-gating reports (in order):
//                 {"name":…,"ok":true|false,"gating":true|false,"message":…}; a failing check
//                 also carries "error" (the same text as "message"; kept for older readers).
//                 A gating check's message is its redacted status when it fails, else empty;
//                 a report's message is its own text, redacted.
//   other paths 404, other methods 405.
// The gateway never routes to it; it is for the kubelet and Prometheus. Stops on destruction.
class AdminServer {
 public:
  AdminServer(std::shared_ptr<Metrics> metrics, std::vector<ReadinessCheck> checks = {},
              std::vector<ReadinessReport> reports = {});
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
