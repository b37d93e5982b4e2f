// The whole gateway process behind main(): flags -> backends, Redis, limiter, cache ->
// dispatcher -> gRPC front, HTTP/JSON front and admin port -> graceful shutdown. main() adds only
// the signal handling; tests run the very same code in-process.
#pragma once

#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "integration/metrics/admin_server.h"

namespace integration::gateway {

class Backends;

// Process exit codes of RunGateway (as service::Run's).
inline constexpr int kGatewayExitOk = 0;
inline constexpr int kGatewayExitFailure = 1;  // a port taken, Redis client, ...
inline constexpr int kGatewayExitUsage = 2;    // a bad or missing setting, an unknown command

// The running gateway, handed to GatewayRunOptions::on_started.
struct GatewayRunning {
  int grpc_port = 0;
  int http_port = 0;   // 0 when the HTTP front is off (--http-port=0)
  int admin_port = 0;  // 0 when the admin server is off (--admin-port=0)
  // Starts the graceful shutdown a SIGTERM starts (health NOT_SERVING and /readyz 503,
  // --shutdown-delay, HTTP and gRPC drain, dispatcher, follower and watcher stop), after which
  // RunGateway returns kGatewayExitOk. Copyable, thread-safe, idempotent, and safe to call even
  // after RunGateway returned.
  std::function<void()> request_shutdown;
};

struct GatewayRunOptions {
  // Replaces the process environment when parsing the flags (tests); null reads the real one.
  const std::map<std::string, std::string>* environment = nullptr;
  // Called on RunGateway's thread once every listener is up; RunGateway then waits for
  // request_shutdown.
  std::function<void(const GatewayRunning&)> on_started;
  // --help text; null: stdout.
  std::ostream* out = nullptr;
  // Start-up errors; null: stderr.
  std::ostream* err = nullptr;
};

// Runs the gateway; `args` are the command-line arguments without the program name (the only
// command is `serve`, the default). --help prints every setting and returns 0; a bad setting
// returns 2 naming the flag and its variable; a failed start 1.
int RunGateway(const std::vector<std::string>& args, const GatewayRunOptions& options = {});

// The name of a backend's entry in /readyz: "backend:<stem>".
std::string BackendReportName(const std::string& service);

// One non-gating /readyz report per configured backend, in configuration order: ok while the
// channel is READY and the backend's last grpc.health.v1 answer was SERVING; the message is
// DescribeBackend's line. Reads only the watcher's record, so /readyz never waits on a backend.
// `backends` must outlive the reports.
std::vector<metrics::ReadinessReport> BackendReports(const Backends& backends);

}  // namespace integration::gateway
