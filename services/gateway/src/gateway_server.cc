// The gateway process: wiring of flags, backends, Redis, limiter, cache, dispatcher, the two
// fronts and the admin port, and the order of shutdown.
#include "gateway_server.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "backends.h"
#include "dispatcher.h"
#include "event_feed.h"
#include "gateway_flags.h"
#include "grpc_front.h"
#include "http_front.h"
#include "integration/auth/auth.h"
#include "integration/config/flags.h"
#include "integration/grpc/runtime.h"
#include "integration/grpc/server_flags.h"
#include "integration/log/log.h"
#include "integration/metrics/metrics.h"
#include "integration/redis/client.h"
#include "rate_limiter.h"
#include "response_cache.h"
#include "watch_events.h"

namespace integration::gateway {
namespace {

// The services whose answers may be cached: a backend is configured and at least one of its
// methods says cacheable. Their event streams drive invalidation.
std::vector<std::string> CachedServices(const Backends& backends) {
  std::vector<std::string> out;
  for (const auto* service : SuiteServices()) {
    const std::string stem = ServiceStem(*service);
    if (!backends.Configured(stem)) continue;
    for (int i = 0; i < service->method_count(); ++i) {
      const auto* policy = auth::PolicyOf(*service->method(i));
      if (policy != nullptr && policy->cacheable()) {
        out.push_back(stem);
        break;
      }
    }
  }
  return out;
}

// request_shutdown's target: outlives RunGateway (callers may hold the function longer).
class StopLatch {
 public:
  void Trigger() {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
  }
  void Wait() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&stopped_));
  }

 private:
  absl::Mutex mu_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

std::string BackendReportName(const std::string& service) {
  return absl::StrCat("backend:", service);
}

std::vector<metrics::ReadinessReport> BackendReports(const Backends& backends) {
  std::vector<metrics::ReadinessReport> reports;
  for (const std::string& service : backends.Services()) {
    reports.push_back(
        {BackendReportName(service), [&backends, service] {
           std::optional<BackendState> state = backends.State(service);
           if (!state.has_value()) return metrics::CheckResult{false, "not configured"};
           return metrics::CheckResult{state->healthy(), DescribeBackend(*state, absl::Now())};
         }});
  }
  return reports;
}

int RunGateway(const std::vector<std::string>& args, const GatewayRunOptions& run) {
  std::ostream& out = run.out != nullptr ? *run.out : std::cout;
  std::ostream& err = run.err != nullptr ? *run.err : std::cerr;
  const auto fail = [&err](std::string_view what, const absl::Status& st, int code) {
    err << "gateway: " << what << ": " << st.message() << "\n";
    err.flush();
    return code;
  };

  config::Flags flags("gateway", "GATEWAY",
                      "The suite's API gateway: gRPC and HTTP/JSON in front of every service, with "
                      "authentication, access policies, rate limits and a response cache.");
  grpc::ServerFlags server_flags(flags, 50050, 9050);
  GatewayFlags gateway_flags(flags);
  std::vector<const char*> argv = {"gateway"};
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::vector<std::string> positional;
  const absl::Status parsed =
      flags.Parse(static_cast<int>(argv.size()), argv.data(), &positional, run.environment);
  if (parsed.code() == absl::StatusCode::kCancelled) {  // --help
    out << parsed.message();
    out.flush();
    return kGatewayExitOk;
  }
  if (!parsed.ok()) return fail("configuration", parsed, kGatewayExitUsage);
  if (!positional.empty() && !(positional.size() == 1 && positional[0] == "serve")) {
    err << "gateway: unknown command \"" << positional[0] << "\" (the gateway only serves)\n";
    return kGatewayExitUsage;
  }
  absl::StatusOr<GatewaySettings> settings = gateway_flags.Settings();
  if (!settings.ok()) return fail("configuration", settings.status(), kGatewayExitUsage);
  absl::StatusOr<grpc::ServerOptions> options = server_flags.Options("gateway");
  if (!options.ok()) return fail("configuration", options.status(), kGatewayExitUsage);
  log::SetService("gateway");
  log::SetMinLevel(settings->log_level);

  auto metrics = std::make_shared<metrics::Metrics>();
  options->metrics = metrics;

  absl::StatusOr<std::unique_ptr<Backends>> backends =
      Backends::Create(settings->backends, settings->channel, metrics);
  if (!backends.ok()) return fail("backends", backends.status(), kGatewayExitUsage);

  // Two clients: look-ups with timeouts short enough for a call to wait on, and one for the
  // event follower, whose XREAD blocks for a second.
  absl::StatusOr<std::unique_ptr<redis::Client>> redis = redis::Client::Create(settings->redis);
  if (!redis.ok()) return fail("redis", redis.status(), kGatewayExitUsage);
  redis::ClientOptions stream_options = settings->redis;
  stream_options.pool_size = 1;
  stream_options.connect_timeout = std::chrono::milliseconds(500);
  stream_options.command_timeout = std::chrono::milliseconds(3000);
  stream_options.acquire_timeout = std::chrono::milliseconds(3000);
  absl::StatusOr<std::unique_ptr<redis::Client>> stream_redis =
      redis::Client::Create(stream_options);
  if (!stream_redis.ok()) return fail("redis", stream_redis.status(), kGatewayExitUsage);

  // The event feed's follower blocks in XREAD on a connection of its own too; its catch-up
  // reads use the look-up client.
  absl::StatusOr<std::unique_ptr<redis::Client>> feed_redis = redis::Client::Create(stream_options);
  if (!feed_redis.ok()) return fail("redis", feed_redis.status(), kGatewayExitUsage);
  std::unique_ptr<EventFeed> feed;
  std::unique_ptr<EventServiceImpl> event_service;
  if (!(*backends)->Services().empty()) {
    EventFeedOptions feed_options;
    feed_options.services = (*backends)->Services();
    feed_options.retention = absl::FromChrono(settings->events_retention);
    feed_options.heartbeat = absl::FromChrono(settings->events_heartbeat);
    feed_options.max_pending = static_cast<size_t>(settings->events_max_pending);
    feed_options.catch_up_page = std::min<size_t>(200, feed_options.max_pending / 2);
    absl::StatusOr<std::unique_ptr<EventFeed>> started =
        EventFeed::Start(**feed_redis, **redis, std::move(feed_options));
    if (!started.ok()) return fail("event feed", started.status(), kGatewayExitUsage);
    feed = *std::move(started);
    event_service = std::make_unique<EventServiceImpl>(*feed, options->verifier);
  }

  RedisAvailability availability(absl::Seconds(1), metrics);
  RateLimiter limiter(settings->limits, redis->get(), &availability, metrics);
  std::unique_ptr<ResponseCache> cache;
  std::unique_ptr<CacheInvalidator> invalidator;
  if (settings->cache_ttl > std::chrono::milliseconds::zero()) {
    cache = std::make_unique<ResponseCache>(redis->get(), &availability,
                                            absl::FromChrono(settings->cache_ttl), metrics);
    absl::StatusOr<std::unique_ptr<CacheInvalidator>> started = CacheInvalidator::Start(
        stream_redis->get(), CachedServices(**backends), std::chrono::milliseconds(1000), metrics);
    if (!started.ok()) return fail("cache invalidation", started.status(), kGatewayExitFailure);
    invalidator = *std::move(started);
  }

  DispatcherOptions core;
  core.verifier = options->verifier;
  core.backends = backends->get();
  core.rate_limiter = &limiter;
  core.trusted_proxies = settings->trusted_proxies;
  core.cache = cache.get();
  core.default_deadline = absl::FromChrono(options->default_deadline);
  core.max_deadline = absl::FromChrono(options->max_deadline);
  core.executor_threads = options->executor_threads;
  core.executor_queue = options->executor_queue;
  core.metrics = metrics;
  absl::StatusOr<std::unique_ptr<Dispatcher>> dispatcher = NewDispatcher(std::move(core));
  if (!dispatcher.ok()) return fail("dispatcher", dispatcher.status(), kGatewayExitFailure);

  // The gRPC front never blocks and hands every call to the dispatcher's executor, so the
  // runtime's own executor stays idle: one thread is enough.
  options->executor_threads = 1;
  const std::chrono::milliseconds notice_delay = options->shutdown_notice_delay;
  GrpcFront grpc_front(**dispatcher);
  grpc::Runtime runtime(*options);
  if (absl::Status st = grpc_front.AddTo(runtime); !st.ok()) {
    return fail("grpc front", st, kGatewayExitFailure);
  }
  if (event_service != nullptr) {
    if (absl::Status st =
            runtime.AddService<::lansstyrelsen::integration::gateway::v1::EventService>(
                event_service.get());
        !st.ok()) {
      return fail("grpc front", st, kGatewayExitFailure);
    }
  }
  // The backends in /readyz, never gating it: a down backend costs only the calls that need
  // it, so taking the gateway out of the load balancer would be wrong. The gateway has no
  // readiness check of its own: it is ready while it runs and not shutting down.
  for (metrics::ReadinessReport& report : BackendReports(**backends)) {
    runtime.AddReadinessReport(std::move(report));
  }
  if (absl::Status st = runtime.Start(); !st.ok()) return fail("start", st, kGatewayExitFailure);

  std::unique_ptr<HttpFront> http;
  if (settings->http_enabled) {
    HttpFrontOptions http_options = settings->http;
    http_options.metrics = metrics;
    if (!settings->web.directory.empty()) {
      absl::StatusOr<std::unique_ptr<StaticSite>> site = StaticSite::Load(settings->web);
      if (!site.ok()) {
        runtime.Shutdown(std::chrono::milliseconds::zero());
        return fail("web", site.status(), kGatewayExitFailure);
      }
      http_options.site = *std::move(site);
    }
    http_options.events = feed.get();
    http_options.verifier = options->verifier;
    absl::StatusOr<std::unique_ptr<HttpFront>> started =
        HttpFront::Start(**dispatcher, std::move(http_options));
    if (!started.ok()) {
      runtime.Shutdown(std::chrono::milliseconds::zero());
      return fail("http front", started.status(), kGatewayExitFailure);
    }
    http = *std::move(started);
  }
  log::Info("gateway_started",
            {{"grpc_port", runtime.port()},
             {"http_port", http != nullptr ? http->port() : 0},
             {"admin_port", runtime.admin_port()},
             {"backends", (*backends)->Summary()},
             {"methods", static_cast<int64_t>((*dispatcher)->Methods().size())}});

  auto latch = std::make_shared<StopLatch>();
  if (run.on_started) {
    GatewayRunning running;
    running.grpc_port = runtime.port();
    running.http_port = http != nullptr ? http->port() : 0;
    running.admin_port = runtime.admin_port();
    running.request_shutdown = [latch] { latch->Trigger(); };
    run.on_started(running);
  }
  latch->Wait();

  // SIGTERM: /readyz 503 and health NOT_SERVING at once (the runtime's first step), then the
  // notice delay so that load balancers leave; then the HTTP listener stops accepting and lets
  // requests in progress finish within the drain timeout, as gRPC drains.
  // Watches end with UNAVAILABLE at the same moment, so that their clients resume elsewhere
  // instead of holding the drain up.
  std::thread http_stopper([&http, &feed, &server_flags, notice_delay] {
    absl::SleepFor(absl::FromChrono(notice_delay));
    if (feed != nullptr) feed->Drain();
    if (http == nullptr) return;
    http->Shutdown(server_flags.drain_timeout());
  });
  runtime.Shutdown(server_flags.drain_timeout());
  http_stopper.join();
  if (feed != nullptr) feed->Stop();
  if (invalidator != nullptr) invalidator->Stop();
  (*backends)->Stop();
  log::Info("gateway_stopped");
  return kGatewayExitOk;
}

}  // namespace integration::gateway
