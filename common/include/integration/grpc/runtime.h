// The gRPC server every service runs: listener, health, reflection, executor, readiness,
// admin port and graceful shutdown.
#pragma once

#include <atomic>
#include <cstdint>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "integration/grpc/executor.h"
#include "integration/grpc/names.h"  // keeps grpc:: meaning gRPC; see there
#include "integration/status/status.h"

namespace google::protobuf {
class Descriptor;
class MethodDescriptor;
}  // namespace google::protobuf

namespace lansstyrelsen::integration::auth::v1 {
class Policy;
}  // namespace lansstyrelsen::integration::auth::v1

namespace integration::auth {
class Verifier;
}  // namespace integration::auth

namespace integration::metrics {
class AdminServer;
class Metrics;
struct ReadinessReport;
}  // namespace integration::metrics

namespace prometheus {
class Gauge;
}  // namespace prometheus

namespace integration::grpc {

// The grpc.health.v1 service name that reports SERVING while the server runs, whatever its
// dependencies do (liveness probes); the empty name and each service's name follow readiness.
inline constexpr std::string_view kLivenessService = "liveness";

// PEM files of a TLS listener. The files are watched and re-read, so a renewed certificate is
// picked up without a restart.
struct ServerTls {
  std::string cert_file;       // certificate chain; TLS is on when set
  std::string key_file;        // its private key; required with cert_file
  std::string client_ca_file;  // when set, clients must present a certificate it signed (mTLS)
  std::chrono::seconds reload_interval{60};

  bool enabled() const { return !cert_file.empty(); }
};

struct ServerOptions {
  // The service stem ("training"): log field, error domain (status::DomainOf), metric label.
  std::string service_name;
  // host:port of the gRPC listener; port 0 picks a free port (see Runtime::port()).
  std::string listen_address = "0.0.0.0:0";
  int max_message_bytes = 4 * 1024 * 1024;
  // Server pings idle connections every keepalive_time and drops them when no answer comes
  // within keepalive_timeout; clients may ping as often as min_ping_interval.
  std::chrono::milliseconds keepalive_time{30000};
  std::chrono::milliseconds keepalive_timeout{10000};
  bool keepalive_permit_without_calls = true;
  std::chrono::milliseconds min_ping_interval{10000};
  // Connections older than max_connection_age get a GOAWAY; calls on them have
  // max_connection_age_grace to finish. Clients then reconnect and resolve their target again,
  // so pods added by a scale-up or a rollout get traffic from long-lived channels too
  // (round_robin over a headless Service). Zero: connections live forever.
  std::chrono::milliseconds max_connection_age{300000};
  std::chrono::milliseconds max_connection_age_grace{60000};
  // Blocking work of handlers (servers: flags --executor-threads 8, --executor-queue 4096).
  size_t executor_threads = 8;
  size_t executor_queue = 256;
  // Deadline of a call whose client sent none, and the most a client may ask for.
  std::chrono::milliseconds default_deadline{10000};
  std::chrono::milliseconds max_deadline{60000};
  // Verifies bearer tokens; null makes every call anonymous (tests without auth only). Its
  // JWKS file is re-read when it changes (checked every readiness_interval).
  std::shared_ptr<auth::Verifier> verifier;
  ServerTls tls;  // insecure listener when !tls.enabled() (loopback development only)
  // How often readiness checks run while the server is up.
  std::chrono::milliseconds readiness_interval{1000};
  // Between "health NOT_SERVING" and draining at shutdown, so load balancers stop routing
  // here first. 0 in tests.
  std::chrono::milliseconds shutdown_notice_delay{5000};
  // The process's metrics registry (shared with pools and relays); null: the Runtime makes one.
  std::shared_ptr<metrics::Metrics> metrics;
  // Admin HTTP server (/metrics, /healthz, /readyz with the readiness checks and reports):
  // -1 none, 0 picks a free port (see Runtime::admin_port()).
  int admin_port = -1;
  std::string admin_bind_address = "0.0.0.0";
  // Serve gRPC server reflection (the listing of every service and message type) on this
  // server. Off by default: it helps client tools, and it helps an attacker map the API.
  bool reflection = false;
};

// One RPC of a registered service, resolved once at registration.
struct MethodInfo {
  const google::protobuf::MethodDescriptor* descriptor = nullptr;
  std::string full_name;  // "pkg.Service/Method", as in logs
  std::string path;       // "/pkg.Service/Method", the HTTP/2 path, as in metrics
  const lansstyrelsen::integration::auth::v1::Policy* policy = nullptr;  // null: deny-all
};

// Owns the server of one process. Typical main():
//   SignalWaiter signals;                  // before any thread starts
//   Runtime rt(options);
//   rt.AddService<pkg::FooService>(&impl);
//   rt.AddReadinessCheck("postgres", [&] { return pool.Ping(); });
//   rt.AddCloseHook("postgres", [&] { pool.Close(); });
//   if (auto st = rt.Start(); !st.ok()) { ...exit 1 }
//   signals.Start([&](int) { rt.Shutdown(drain_timeout); });
//   rt.Wait();
// Thread-safe after Start().
class Runtime {
 public:
  explicit Runtime(ServerOptions options);
  // Shuts down (without notice delay or drain) if still running, and runs close hooks that
  // have not run.
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // --- Before Start() ---
  // Registers a callback service; `full_name` ("pkg.Service") finds its compiled descriptor,
  // whose methods Serve() resolves and whose access policies it enforces. The service must
  // stay alive until Shutdown() returned.
  absl::Status AddService(::grpc::Service* service, std::string_view full_name);
  // Same, with the name taken from the generated class (e.g. echo::v1::EchoService).
  template <class GeneratedService>
  absl::Status AddService(::grpc::Service* service) {
    return AddService(service, GeneratedService::service_full_name());
  }
  // A dependency that must answer before the service reports SERVING (e.g. a PostgreSQL
  // ping). Checks run on a background thread and may block briefly.
  void AddReadinessCheck(std::string name, std::function<absl::Status()> check);
  // A state shown in the admin server's /readyz after the readiness checks that never makes it
  // 503 nor the health NOT_SERVING (metrics::ReadinessReport): for dependencies the process
  // serves without, e.g. the gateway's backends. Runs on the admin thread for each /readyz
  // request: report a state kept up to date elsewhere, no I/O. Ignored without an admin port.
  void AddReadinessReport(metrics::ReadinessReport report);
  // Runs at the end of Shutdown(), in reverse order of registration (close pools after the
  // last call that used them finished). May be added after Start().
  void AddCloseHook(std::string name, std::function<void()> hook);

  // Binds the listener (and the admin server), starts the executor and the readiness loop.
  // Health reports NOT_SERVING until every readiness check passes. Errors say what failed
  // (bad TLS file, address in use, ...). Call once.
  absl::Status Start();

  // The bound gRPC port (the picked one when the options said 0); 0 before Start().
  int port() const { return port_.load(); }
  // The bound admin port; 0 when there is no admin server.
  int admin_port() const;
  // The last readiness result: every check passed and shutdown has not begun.
  bool serving() const { return serving_.load(); }
  // Runs every readiness check now: OK, or the failures naming their checks.
  absl::Status CheckReadiness() const;

  // Graceful stop, idempotent and callable from any thread (e.g. the signal thread):
  // health NOT_SERVING for every service -> wait shutdown_notice_delay -> stop accepting calls
  // and let in-flight calls finish for up to drain_timeout (then they are cancelled) -> stop
  // the executor after its queue drained -> stop the admin server -> close hooks in reverse.
  // Returns when done, or at once when another thread is already shutting down. Never call it
  // from a handler or a gRPC callback: it waits for those to finish.
  void Shutdown(std::chrono::milliseconds drain_timeout);
  // Blocks until a Shutdown() finished; returns at once if Start() never succeeded.
  void Wait();

  // --- Used by Serve() ---
  // The registered method of `method` (compiled descriptors: a service added by AddService);
  // null when no added service has it.
  const MethodInfo* FindMethod(const google::protobuf::MethodDescriptor& method) const;
  BoundedExecutor& executor() { return *executor_; }
  const ServerOptions& options() const { return options_; }
  auth::Verifier* verifier() const { return options_.verifier.get(); }
  // status::DomainOf(service_name), computed once.
  const std::string& error_domain() const { return error_domain_; }
  // Counts a finished call in the metrics.
  void RecordRpc(const MethodInfo* method, std::string_view code, absl::Duration latency);
  // The metrics registry the runtime records into.
  const std::shared_ptr<metrics::Metrics>& metrics() const { return metrics_; }

 private:
  enum class State { kNew, kRunning, kStopping, kStopped };
  struct Check {
    std::string name;
    std::function<absl::Status()> fn;
  };
  struct Hook {
    std::string name;
    std::function<void()> fn;
  };

  absl::Status BuildServer();
  void ShutdownImpl(std::chrono::milliseconds drain_timeout,
                    std::chrono::milliseconds notice_delay);
  void ReadinessLoop();
  void SetHealth(bool serving);
  void RunCloseHooks();

  const ServerOptions options_;
  const std::string error_domain_;
  const std::shared_ptr<metrics::Metrics> metrics_;

  std::vector<std::unique_ptr<MethodInfo>> methods_;
  absl::flat_hash_map<const google::protobuf::MethodDescriptor*, const MethodInfo*> by_descriptor_;
  std::vector<std::pair<::grpc::Service*, std::string>> services_;  // with full names
  std::vector<Check> checks_;                                       // fixed once Start() ran
  std::vector<metrics::ReadinessReport> reports_;                   // fixed once Start() ran

  std::unique_ptr<BoundedExecutor> executor_;
  std::unique_ptr<::grpc::Server> server_;
  std::unique_ptr<metrics::AdminServer> admin_;
  std::atomic<int> port_{0};
  std::atomic<bool> serving_{false};
  // integration_server_serving{service}: the health status as a metric, for alerts on pods
  // that stay unready. Owned by metrics_; null before Start().
  prometheus::Gauge* serving_gauge_ = nullptr;
  std::atomic<uint64_t> finished_calls_{0};  // for giving memory back once calls stop

  mutable absl::Mutex mu_;
  absl::CondVar state_changed_;
  State state_ ABSL_GUARDED_BY(mu_) = State::kNew;
  bool stop_readiness_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Hook> close_hooks_ ABSL_GUARDED_BY(mu_);
  std::thread readiness_thread_;
};

}  // namespace integration::grpc
