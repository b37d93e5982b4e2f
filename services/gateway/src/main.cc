// The gateway binary: wiring only. Flags -> backends, Redis, limiter, cache -> dispatcher ->
// gRPC front (on the shared Runtime) and HTTP/JSON front -> graceful shutdown on SIGTERM.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "backends.h"
#include "dispatcher.h"
#include "gateway_flags.h"
#include "grpc_front.h"
#include "http_front.h"
#include "integration/config/flags.h"
#include "integration/grpc/runtime.h"
#include "integration/grpc/server_flags.h"
#include "integration/grpc/signals.h"
#include "integration/log/log.h"
#include "integration/metrics/metrics.h"
#include "integration/redis/client.h"
#include "rate_limiter.h"
#include "response_cache.h"

namespace {

namespace gw = integration::gateway;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int Fail(std::string_view what, const absl::Status& st, int code = kExitFailure) {
  std::cerr << "gateway: " << what << ": " << st.message() << "\n";
  return code;
}

// The services whose answers may be cached: a backend is configured and at least one of its
// methods says cacheable. Their event streams drive invalidation.
std::vector<std::string> CachedServices(const gw::Backends& backends) {
  std::vector<std::string> out;
  for (const auto* service : gw::SuiteServices()) {
    const std::string stem = gw::ServiceStem(*service);
    if (!backends.Configured(stem)) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      const auto* policy = integration::auth::PolicyOf(*service->method(i));
      if (policy != nullptr && policy->cacheable()) {
        out.push_back(stem);
        break;
      }
    }
  }
  return out;
}

int Run(int argc, char** argv, integration::grpc::SignalWaiter& signals) {
  integration::config::Flags flags(
      "gateway", "GATEWAY",
      "The suite's API gateway: gRPC and HTTP/JSON in front of every service, with "
      "authentication, access policies, rate limits and a response cache.");
  integration::grpc::ServerFlags server_flags(flags, 50050, 9050);
  gw::GatewayFlags gateway_flags(flags);
  const std::vector<std::string> positional = integration::config::ParseOrExit(flags, argc, argv);
  if (!positional.empty() && !(positional.size() == 1 && positional[0] == "serve")) {
    std::cerr << "gateway: unknown command \"" << positional[0] << "\" (the gateway only serves)\n";
    return kExitUsage;
  }
  absl::StatusOr<gw::GatewaySettings> settings = gateway_flags.Settings();
  if (!settings.ok()) return Fail("configuration", settings.status(), kExitUsage);
  absl::StatusOr<integration::grpc::ServerOptions> options = server_flags.Options("gateway");
  if (!options.ok()) return Fail("configuration", options.status(), kExitUsage);
  integration::log::SetMinLevel(settings->log_level);

  auto metrics = std::make_shared<integration::metrics::Metrics>();
  options->metrics = metrics;

  absl::StatusOr<std::unique_ptr<gw::Backends>> backends =
      gw::Backends::Create(settings->backends, settings->channel, metrics);
  if (!backends.ok()) return Fail("backends", backends.status(), kExitUsage);

  // Two clients: look-ups with timeouts short enough for a call to wait on, and one for the
  // event follower, whose XREAD blocks for a second.
  absl::StatusOr<std::unique_ptr<integration::redis::Client>> redis =
      integration::redis::Client::Create(settings->redis);
  if (!redis.ok()) return Fail("redis", redis.status(), kExitUsage);
  integration::redis::ClientOptions stream_options = settings->redis;
  stream_options.pool_size = 1;
  stream_options.connect_timeout = std::chrono::milliseconds(500);
  stream_options.command_timeout = std::chrono::milliseconds(3000);
  stream_options.acquire_timeout = std::chrono::milliseconds(3000);
  absl::StatusOr<std::unique_ptr<integration::redis::Client>> stream_redis =
      integration::redis::Client::Create(stream_options);
  if (!stream_redis.ok()) return Fail("redis", stream_redis.status(), kExitUsage);

  gw::RedisAvailability availability(absl::Seconds(1), metrics);
  gw::RateLimiter limiter(settings->limits, redis->get(), &availability, metrics);
  std::unique_ptr<gw::ResponseCache> cache;
  std::unique_ptr<gw::CacheInvalidator> invalidator;
  if (settings->cache_ttl > std::chrono::milliseconds::zero()) {
    cache = std::make_unique<gw::ResponseCache>(redis->get(), &availability,
                                                absl::FromChrono(settings->cache_ttl), metrics);
    absl::StatusOr<std::unique_ptr<gw::CacheInvalidator>> started = gw::CacheInvalidator::Start(
        stream_redis->get(), CachedServices(**backends), std::chrono::milliseconds(1000), metrics);
    if (!started.ok()) return Fail("cache invalidation", started.status());
    invalidator = *std::move(started);
  }

  gw::CoreOptions core;
  core.verifier = options->verifier;
  core.backends = backends->get();
  core.rate_limiter = &limiter;
  core.cache = cache.get();
  core.default_deadline = absl::FromChrono(options->default_deadline);
  core.max_deadline = absl::FromChrono(options->max_deadline);
  core.executor_threads = options->executor_threads;
  core.executor_queue = options->executor_queue;
  core.metrics = metrics;
  absl::StatusOr<std::unique_ptr<gw::Dispatcher>> dispatcher = gw::NewDispatcher(std::move(core));
  if (!dispatcher.ok()) return Fail("dispatcher", dispatcher.status());

  // The gRPC front never blocks and hands every call to the dispatcher's executor, so the
  // runtime's own executor stays idle: one thread is enough.
  options->executor_threads = 1;
  const std::chrono::milliseconds notice_delay = options->shutdown_notice_delay;
  gw::GrpcFront grpc_front(**dispatcher);
  integration::grpc::Runtime runtime(*options);
  if (absl::Status st = grpc_front.AddTo(runtime); !st.ok()) return Fail("grpc front", st);
  if (absl::Status st = runtime.Start(); !st.ok()) return Fail("start", st);
  integration::log::Info("gateway_started",
                         {{"grpc_port", runtime.port()},
                          {"admin_port", runtime.admin_port()},
                          {"backends", (*backends)->Summary()},
                          {"methods", static_cast<int64_t>((*dispatcher)->Methods().size())}});

  std::unique_ptr<gw::HttpFront> http;
  if (settings->http_enabled) {
    gw::HttpFrontOptions http_options = settings->http;
    http_options.metrics = metrics;
    absl::StatusOr<std::unique_ptr<gw::HttpFront>> started =
        gw::HttpFront::Start(**dispatcher, std::move(http_options));
    if (!started.ok()) {
      runtime.Shutdown(std::chrono::milliseconds::zero());
      return Fail("http front", started.status());
    }
    http = *std::move(started);
    integration::log::Info("http_front_started", {{"port", http->port()}});
  }

  absl::Notification stop;
  signals.Start([&stop](int) { stop.Notify(); });
  stop.WaitForNotification();

  // SIGTERM: the runtime reports NOT_SERVING at once and waits the notice delay so that load
  // balancers leave; then the HTTP listener stops accepting and lets requests in progress
  // finish within the drain timeout, as gRPC drains.
  std::thread http_stopper([&http, &server_flags, notice_delay] {
    if (http == nullptr) return;
    absl::SleepFor(absl::FromChrono(notice_delay));
    http->Shutdown(server_flags.drain_timeout());
  });
  runtime.Shutdown(server_flags.drain_timeout());
  http_stopper.join();
  if (invalidator != nullptr) invalidator->Stop();
  (*backends)->Stop();
  integration::log::Info("gateway_stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Before any thread starts, so that every thread inherits the blocked signals.
  integration::grpc::SignalWaiter signals;
  return Run(argc, argv, signals);
}
