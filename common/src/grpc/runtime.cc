// Runtime: builds and runs the gRPC server, readiness loop, health states and shutdown.
#include "integration/grpc/runtime.h"

#include <google/protobuf/descriptor.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/impl/server_builder_plugin.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <malloc.h>

#include <algorithm>
#include <climits>
#include <exception>
#include <memory>
#include <utility>
#include <vector>

#include "absl/base/call_once.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "files.h"
#include "integration/auth/auth.h"
#include "integration/log/log.h"
#include "integration/metrics/admin_server.h"
#include "integration/metrics/metrics.h"
#include "text.h"

namespace integration::grpc {
namespace {

// Decides per server whether gRPC's reflection service is served. Linking grpc++_reflection
// registers its plugin for every server of the process (a static initialiser of the library),
// so the option first removes it from this server's plugins and then adds it back only when the
// server's settings ask for it.
class ReflectionOption final : public ::grpc::ServerBuilderOption {
 public:
  explicit ReflectionOption(bool enabled) : enabled_(enabled) {}
  void UpdateArguments(::grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<::grpc::ServerBuilderPlugin>>* plugins) override {
    // The plugin's own name, so that no spelling of it is kept here.
    const std::string reflection = ::grpc::reflection::ProtoServerReflectionPlugin().name();
    std::erase_if(*plugins, [&](const std::unique_ptr<::grpc::ServerBuilderPlugin>& plugin) {
      return plugin->name() == reflection;
    });
    if (enabled_) {
      plugins->push_back(std::make_unique<::grpc::reflection::ProtoServerReflectionPlugin>());
    }
  }

 private:
  bool enabled_;
};

absl::StatusOr<std::shared_ptr<::grpc::ServerCredentials>> ListenerCredentials(
    const ServerTls& tls) {
  if (!tls.enabled()) {
    if (!tls.key_file.empty() || !tls.client_ca_file.empty()) {
      return absl::InvalidArgumentError(
          "TLS key or client CA file given without a certificate file");
    }
    return ::grpc::InsecureServerCredentials();
  }
  if (tls.key_file.empty()) {
    return absl::InvalidArgumentError("TLS certificate file given without a key file");
  }
  if (auto st = internal::CheckReadableFile(tls.cert_file, "TLS certificate file"); !st.ok()) {
    return st;
  }
  if (auto st = internal::CheckReadableFile(tls.key_file, "TLS key file"); !st.ok()) return st;
  if (!tls.client_ca_file.empty()) {
    if (auto st = internal::CheckReadableFile(tls.client_ca_file, "TLS client CA file"); !st.ok()) {
      return st;
    }
  }
  const auto interval =
      static_cast<unsigned int>(std::max<int64_t>(tls.reload_interval.count(), 1));
  // The file watcher re-reads the files, so renewed certificates need no restart.
  auto provider = std::make_shared<::grpc::experimental::FileWatcherCertificateProvider>(
      tls.key_file, tls.cert_file, tls.client_ca_file, interval);
  ::grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (!tls.client_ca_file.empty()) {
    options.watch_root_certs();
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  return ::grpc::experimental::TlsServerCredentials(options);
}

absl::Status ValidateOptions(const ServerOptions& o) {
  if (o.service_name.empty()) return absl::InvalidArgumentError("service_name is empty");
  if (o.listen_address.empty()) return absl::InvalidArgumentError("listen_address is empty");
  if (o.max_message_bytes <= 0) return absl::InvalidArgumentError("max_message_bytes must be > 0");
  if (o.default_deadline <= std::chrono::milliseconds::zero() ||
      o.max_deadline < o.default_deadline) {
    return absl::InvalidArgumentError(
        "deadlines must satisfy 0 < default_deadline <= max_deadline");
  }
  if (o.keepalive_time <= std::chrono::milliseconds::zero() ||
      o.keepalive_timeout <= std::chrono::milliseconds::zero()) {
    return absl::InvalidArgumentError("keepalive time and timeout must be > 0");
  }
  if (o.admin_port > 65535) return absl::InvalidArgumentError("admin_port must be <= 65535");
  if (o.max_connection_age < std::chrono::milliseconds::zero() ||
      o.max_connection_age_grace < std::chrono::milliseconds::zero() ||
      o.max_connection_age > std::chrono::milliseconds(INT_MAX) ||
      o.max_connection_age_grace > std::chrono::milliseconds(INT_MAX)) {
    return absl::InvalidArgumentError(
        "max_connection_age and its grace must be >= 0 (and < 24 days)");
  }
  if (o.readiness_interval <= std::chrono::milliseconds::zero()) {
    return absl::InvalidArgumentError("readiness_interval must be > 0");
  }
  return absl::OkStatus();
}

}  // namespace

Runtime::Runtime(ServerOptions options)
    : options_(std::move(options)),
      error_domain_(status::DomainOf(options_.service_name)),
      metrics_(options_.metrics != nullptr ? options_.metrics
                                           : std::make_shared<metrics::Metrics>()) {
  log::SetService(options_.service_name);
}

Runtime::~Runtime() {
  bool running;
  {
    absl::MutexLock lock(&mu_);
    running = state_ != State::kNew;
  }
  if (running) {
    // A destructor must not linger: no notice delay, no drain.
    ShutdownImpl(std::chrono::milliseconds::zero(), std::chrono::milliseconds::zero());
    Wait();
  } else {
    RunCloseHooks();
  }
}

absl::Status Runtime::AddService(::grpc::Service* service, std::string_view full_name) {
  {
    absl::MutexLock lock(&mu_);
    if (state_ != State::kNew) {
      return absl::FailedPreconditionError("AddService() after Start()");
    }
  }
  if (service == nullptr) return absl::InvalidArgumentError("AddService(nullptr)");
  const google::protobuf::ServiceDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(std::string(full_name));
  if (descriptor == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("service \"", internal::Av(full_name),
                     "\" has no compiled descriptor; link its proto library"));
  }
  for (const auto& [s, name] : services_) {
    if (name == full_name) {
      return absl::AlreadyExistsError(
          absl::StrCat("service \"", internal::Av(full_name), "\" added twice"));
    }
  }
  services_.emplace_back(service, std::string(full_name));
  for (int i = 0; i < descriptor->method_count(); ++i) {
    auto info = std::make_unique<MethodInfo>();
    info->descriptor = descriptor->method(i);
    info->full_name = absl::StrCat(descriptor->full_name(), "/", info->descriptor->name());
    info->path = absl::StrCat("/", info->full_name);
    info->policy = auth::PolicyOf(*info->descriptor);
    if (info->policy == nullptr) {
      // Deny-all is safe but almost certainly a mistake in the proto.
      log::Warn("method_without_policy", {{"method", info->full_name}});
    }
    by_descriptor_[info->descriptor] = info.get();
    methods_.push_back(std::move(info));
  }
  return absl::OkStatus();
}

void Runtime::AddReadinessCheck(std::string name, std::function<absl::Status()> check) {
  absl::MutexLock lock(&mu_);
  if (state_ != State::kNew) {
    log::Error("readiness_check_after_start", {{"check", name}});
    return;
  }
  checks_.push_back({std::move(name), std::move(check)});
}

void Runtime::AddReadinessReport(metrics::ReadinessReport report) {
  absl::MutexLock lock(&mu_);
  if (state_ != State::kNew) {
    log::Error("readiness_report_after_start", {{"report", report.name}});
    return;
  }
  reports_.push_back(std::move(report));
}

void Runtime::AddCloseHook(std::string name, std::function<void()> hook) {
  absl::MutexLock lock(&mu_);
  close_hooks_.push_back({std::move(name), std::move(hook)});
}

const MethodInfo* Runtime::FindMethod(const google::protobuf::MethodDescriptor& method) const {
  auto it = by_descriptor_.find(&method);
  return it == by_descriptor_.end() ? nullptr : it->second;
}

int Runtime::admin_port() const { return admin_ != nullptr ? admin_->port() : 0; }

absl::Status Runtime::CheckReadiness() const {
  std::vector<std::string> failures;
  for (const Check& check : checks_) {
    absl::Status st;
    try {
      st = check.fn ? check.fn() : absl::OkStatus();
    } catch (const std::exception& e) {
      // A throwing check must not take the readiness thread (and the process) down.
      st = absl::UnavailableError(absl::StrCat("check threw: ", e.what()));
    } catch (...) {
      st = absl::UnavailableError("check threw");
    }
    if (!st.ok()) failures.push_back(absl::StrCat(check.name, ": ", st.message()));
  }
  if (failures.empty()) return absl::OkStatus();
  return absl::UnavailableError(absl::StrJoin(failures, "; "));
}

absl::Status Runtime::Start() {
  {
    absl::MutexLock lock(&mu_);
    if (state_ != State::kNew) return absl::FailedPreconditionError("Start() called twice");
  }
  if (absl::Status st = ValidateOptions(options_); !st.ok()) return st;
  if (services_.empty()) return absl::FailedPreconditionError("Start() without any service");

  ExecutorOptions executor_options;
  executor_options.name = options_.service_name;
  executor_options.threads = options_.executor_threads;
  executor_options.queue_capacity = options_.executor_queue;
  absl::StatusOr<prometheus::Gauge*> depth =
      metrics_->Gauge("integration_executor_queue_depth", "Calls waiting for an executor thread",
                      {{"service", options_.service_name}});
  if (!depth.ok()) return depth.status();
  // The gauge lives as long as metrics_, which outlives the executor.
  executor_options.on_depth_change = [gauge = *depth](size_t d) {
    gauge->Set(static_cast<double>(d));
  };
  executor_ = std::make_unique<BoundedExecutor>(std::move(executor_options));
  absl::StatusOr<prometheus::Gauge*> serving = metrics_->Gauge(
      "integration_server_serving",
      "1 while the server reports SERVING (ready), 0 while not ready or shutting down",
      {{"service", options_.service_name}});
  if (!serving.ok()) return serving.status();
  serving_gauge_ = *serving;

  if (absl::Status st = BuildServer(); !st.ok()) {
    executor_->Stop();
    return st;
  }
  if (options_.admin_port >= 0) {
    std::vector<metrics::ReadinessCheck> admin_checks;
    for (const Check& check : checks_) admin_checks.push_back({check.name, check.fn});
    admin_ = std::make_unique<metrics::AdminServer>(metrics_, std::move(admin_checks), reports_);
    absl::Status st =
        admin_->Start(static_cast<uint16_t>(options_.admin_port), options_.admin_bind_address);
    if (!st.ok()) {
      admin_.reset();
      server_->Shutdown(std::chrono::system_clock::now());
      executor_->Stop();
      return st;
    }
  }
  {
    absl::MutexLock lock(&mu_);
    state_ = State::kRunning;
  }
  readiness_thread_ = std::thread([this] { ReadinessLoop(); });
  log::Info("server_started", {{"address", options_.listen_address},
                               {"port", port()},
                               {"admin_port", admin_port()},
                               {"tls", options_.tls.enabled()},
                               {"mtls", !options_.tls.client_ca_file.empty()}});
  return absl::OkStatus();
}

absl::Status Runtime::BuildServer() {
  absl::StatusOr<std::shared_ptr<::grpc::ServerCredentials>> creds =
      ListenerCredentials(options_.tls);
  if (!creds.ok()) return creds.status();

  // A process-wide switch of gRPC; setting it again is harmless, racing is not.
  static absl::once_flag grpc_health_once;
  absl::call_once(grpc_health_once, [] { ::grpc::EnableDefaultHealthCheckService(true); });

  ::grpc::ServerBuilder builder;
  builder.SetOption(std::make_unique<ReflectionOption>(options_.reflection));
  int selected_port = 0;
  builder.AddListeningPort(options_.listen_address, *creds, &selected_port);
  builder.SetMaxReceiveMessageSize(options_.max_message_bytes);
  builder.SetMaxSendMessageSize(options_.max_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             static_cast<int>(options_.keepalive_time.count()));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             static_cast<int>(options_.keepalive_timeout.count()));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS,
                             options_.keepalive_permit_without_calls ? 1 : 0);
  // Our own keepalive pings must not be capped on idle connections.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             static_cast<int>(options_.min_ping_interval.count()));
  if (options_.max_connection_age > std::chrono::milliseconds::zero()) {
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                               static_cast<int>(options_.max_connection_age.count()));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                               static_cast<int>(options_.max_connection_age_grace.count()));
  }
  // A second instance on the same port must fail to start, not silently share the traffic.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  for (const auto& [service, name] : services_) builder.RegisterService(service);

  server_ = builder.BuildAndStart();
  if (server_ == nullptr || selected_port == 0) {
    server_.reset();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.listen_address,
                                               " (address in use, bad address or no permission)"));
  }
  port_.store(selected_port);
  // The default health service starts with the server SERVING; nothing may look ready
  // before the readiness checks passed.
  SetHealth(false);
  // Liveness is separate from readiness: a process waiting for its database is alive and must
  // not be restarted, so "liveness" is SERVING for as long as the server runs.
  if (auto* health = server_->GetHealthCheckService(); health != nullptr) {
    health->SetServingStatus(std::string(kLivenessService), true);
  }
  return absl::OkStatus();
}

void Runtime::SetHealth(bool serving) {
  serving_.store(serving);
  if (serving_gauge_ != nullptr) serving_gauge_->Set(serving ? 1 : 0);
  ::grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health == nullptr) return;
  for (const auto& [service, name] : services_) health->SetServingStatus(name, serving);
  health->SetServingStatus("", serving);
}

void Runtime::ReadinessLoop() {
  bool first = true;
  std::string last_failure;
  std::string last_reload_error;
  uint64_t calls_seen = 0;
  uint64_t calls_trimmed = 0;
  while (true) {
    // After a burst, glibc keeps the freed heap (buffers of thousands of queued calls) as
    // resident memory for good. Once a whole interval passed without a call, it goes back to
    // the system, once per burst: a few ms of one thread, never while calls are running.
    if (const uint64_t calls = finished_calls_.load(std::memory_order_relaxed);
        calls == calls_seen && calls != calls_trimmed) {
      malloc_trim(0);
      calls_trimmed = calls;
    } else {
      calls_seen = calls;
    }
    absl::Status ready = CheckReadiness();
    {
      absl::MutexLock lock(&mu_);
      // Shutdown owns the health state from its first step on.
      if (stop_readiness_) return;
      if (first || ready.ok() != serving_.load()) SetHealth(ready.ok());
    }
    if (ready.ok() && (first || !last_failure.empty())) {
      log::Info("readiness", {{"serving", true}});
      last_failure.clear();
    } else if (!ready.ok() && ready.message() != last_failure) {
      last_failure = std::string(ready.message());
      log::Warn("readiness", {{"serving", false}, {"failed", last_failure}});
    }
    first = false;
    if (auth::Verifier* verifier = options_.verifier.get(); verifier != nullptr) {
      // Key rotation: a changed JWKS file is picked up here; a broken one keeps the old keys.
      absl::Status reload = verifier->ReloadIfChanged();
      std::string error = reload.ok() ? "" : std::string(reload.message());
      if (error != last_reload_error && !error.empty()) {
        log::Error("jwks_reload_failed", {{"error", error}});
      }
      last_reload_error = std::move(error);
    }
    absl::MutexLock lock(&mu_);
    const absl::Time wake = absl::Now() + absl::FromChrono(options_.readiness_interval);
    while (!stop_readiness_ && absl::Now() < wake) {
      state_changed_.WaitWithDeadline(&mu_, wake);
    }
    if (stop_readiness_) return;
  }
}

void Runtime::Shutdown(std::chrono::milliseconds drain_timeout) {
  ShutdownImpl(drain_timeout, options_.shutdown_notice_delay);
}

void Runtime::ShutdownImpl(std::chrono::milliseconds drain_timeout,
                           std::chrono::milliseconds notice_delay) {
  {
    absl::MutexLock lock(&mu_);
    if (state_ != State::kRunning) return;
    state_ = State::kStopping;
    stop_readiness_ = true;
    state_changed_.SignalAll();
  }
  log::Info("shutdown_started",
            {{"drain_timeout_ms", static_cast<int64_t>(drain_timeout.count())}});
  if (readiness_thread_.joinable()) readiness_thread_.join();
  serving_.store(false);
  // Every service NOT_SERVING, frozen: later status changes are ignored.
  if (::grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService()) {
    health->Shutdown();
  }
  if (admin_ != nullptr) admin_->SetShuttingDown();
  if (notice_delay > std::chrono::milliseconds::zero()) {
    absl::SleepFor(absl::FromChrono(notice_delay));
  }
  // New calls are refused from here; in-flight ones finish (the executor keeps running) until
  // the deadline, after which gRPC cancels them.
  server_->Shutdown(std::chrono::system_clock::now() + drain_timeout);
  executor_->Stop();
  if (admin_ != nullptr) admin_->Stop();
  RunCloseHooks();
  log::Info("shutdown_finished");
  absl::MutexLock lock(&mu_);
  state_ = State::kStopped;
  state_changed_.SignalAll();
}

void Runtime::RunCloseHooks() {
  std::vector<Hook> hooks;
  {
    absl::MutexLock lock(&mu_);
    hooks.swap(close_hooks_);
  }
  for (auto it = hooks.rbegin(); it != hooks.rend(); ++it) {
    log::Info("close_hook", {{"name", it->name}});
    if (it->fn) it->fn();
  }
}

void Runtime::Wait() {
  absl::MutexLock lock(&mu_);
  while (state_ == State::kRunning || state_ == State::kStopping) state_changed_.Wait(&mu_);
}

void Runtime::RecordRpc(const MethodInfo* method, std::string_view code, absl::Duration latency) {
  finished_calls_.fetch_add(1, std::memory_order_relaxed);
  metrics_->RecordRpc(method != nullptr ? std::string_view(method->path) : "unknown", code,
                      absl::ToDoubleSeconds(latency));
}

}  // namespace integration::grpc
