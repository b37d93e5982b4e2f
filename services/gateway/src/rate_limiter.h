// Rate limiting of the gateway: GCRA per caller and method class, in Redis (one Lua script, so
// every gateway instance shares the budget) with an in-process fallback while Redis is away.
#pragma once

#include <google/protobuf/descriptor.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "integration/auth/auth.h"

namespace prometheus {
class Counter;
class Gauge;
}  // namespace prometheus

namespace integration::redis {
class Client;
class Script;
}  // namespace integration::redis

namespace integration::metrics {
class Metrics;
}  // namespace integration::metrics

namespace integration::gateway {

// Rate-limit class of a method (policy.proto MethodClass, resolved).
enum class MethodClass { kRead, kWrite, kPublic };

// "read", "write", "public": the <class> of the Redis key and the metric label.
std::string_view ClassName(MethodClass c);

// The class of a method: the policy's method_class when set; otherwise PUBLIC for public
// methods, READ for methods whose google.api.http rule is a GET, WRITE for everything else.
MethodClass ClassOf(const google::protobuf::MethodDescriptor& method, const auth::Policy* policy);

// A sustained rate with a burst: `burst` calls may come at once, then one per 1/per_second.
struct Rate {
  double per_second = 0;  // > 0 unless unlimited
  int64_t burst = 0;      // >= 1 unless unlimited
  bool unlimited = false;

  // The GCRA emission interval (time between two calls at the sustained rate), microseconds.
  int64_t emission_interval_us() const;
};

// Parses "100/s burst 200", "600/m burst 50", "10/s" (burst = the per-interval count, at
// least 1), or "off" (unlimited). Units: s, m, h. INVALID_ARGUMENT explaining the format.
absl::StatusOr<Rate> ParseRate(std::string_view text);

struct RateLimits {
  Rate read{100, 200, false};
  Rate write{20, 40, false};
  Rate public_{50, 100, false};
  // Every call of one client address, checked before its token is verified: bounds what a
  // flood of calls with bad tokens costs (each would be a signature check). Generous, since
  // the callers of a county office may share one address.
  Rate address{200, 400, false};

  const Rate& For(MethodClass c) const;
};

// One GCRA step. `tat_us` is the stored theoretical arrival time (0: none), `now_us` the
// current time; both in microseconds of the same clock. Allowed when the call fits within the
// burst; then `new_tat_us` is what to store. When denied nothing changes and `retry_after_us`
// says when the same call would be allowed.
struct GcraResult {
  bool allowed = false;
  int64_t new_tat_us = 0;
  int64_t retry_after_us = 0;
};
GcraResult GcraStep(int64_t tat_us, int64_t now_us, const Rate& rate);

// The decision for one call.
struct RateDecision {
  bool allowed = true;
  absl::Duration retry_after;  // when denied: wait at least this long
  bool local = false;          // decided by the in-process limiter (Redis unavailable)
};

// The in-process GCRA: the same math per key, for one process. Thread-safe. Entries whose
// arrival time has passed carry no information and are swept as the table grows.
class LocalLimiter {
 public:
  // `clock` returns microseconds; defaults to absl::Now().
  explicit LocalLimiter(std::function<int64_t()> clock = nullptr);
  RateDecision Decide(const std::string& key, const Rate& rate);
  size_t size() const;

 private:
  void SweepLocked(int64_t now_us) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::function<int64_t()> clock_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, int64_t> tat_ ABSL_GUARDED_BY(mu_);
  size_t sweep_at_ ABSL_GUARDED_BY(mu_) = 4096;
};

// Whether Redis is worth asking: shared by the rate limiter and the response cache so that a
// Redis outage costs one short timeout per probe interval, not one per call. Transitions are
// logged once each way and shown by the gauge gateway_redis_up. Thread-safe.
class RedisAvailability {
 public:
  // `probe_interval`: while Redis is down, at most one call per interval tries it again.
  explicit RedisAvailability(absl::Duration probe_interval = absl::Seconds(1),
                             std::shared_ptr<metrics::Metrics> metrics = nullptr);

  // True while Redis is up; while it is down, true for the first caller after each probe
  // interval (that call is the probe).
  bool ShouldTry();
  // The outcome of a Redis call: OK, or its error. Only UNAVAILABLE (connection refused, lost
  // or timed out) marks Redis down; other errors are the command's own.
  void Report(const absl::Status& status);
  bool up() const { return up_.load(); }

 private:
  const absl::Duration probe_interval_;
  std::atomic<bool> up_{true};
  std::atomic<int64_t> next_probe_us_{0};
  prometheus::Gauge* gauge_ = nullptr;
};

// Is it "<Redis is unreachable>"? UNAVAILABLE with a connection problem, not pool exhaustion
// (which is load, not an outage).
bool IsRedisDown(const absl::Status& status);

// The Redis key of a budget: "gateway:rl:<class>:<caller>".
std::string RateLimitKey(MethodClass c, std::string_view caller);

// The caller part of the key: the token subject, or "ip:<address>" without a token.
std::string RateLimitCaller(const auth::Caller& caller, std::string_view client_address);

// The Redis key of a client address's budget of calls before verification:
// "gateway:rl:address:<address>".
std::string AddressLimitKey(std::string_view client_address);

// GCRA per caller and method class in Redis (EVALSHA of one Lua script using Redis's clock, so
// every gateway instance draws on the same budget), falling back to a LocalLimiter with the same
// limits whenever Redis is unavailable. Check() blocks for at most the Redis client's command
// timeout (keep it short, ~50 ms); call it from an executor thread. Thread-safe.
class RateLimiter {
 public:
  // `redis` may be null (in-process limits only); `availability` is required when it is not.
  // Both must outlive the limiter.
  RateLimiter(RateLimits limits, redis::Client* redis, RedisAvailability* availability,
              std::shared_ptr<metrics::Metrics> metrics = nullptr);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  RateDecision Check(MethodClass c, std::string_view caller);
  // The budget of every call from `client_address` (RateLimits::address), before its token is
  // looked at.
  RateDecision CheckAddress(std::string_view client_address);
  const RateLimits& limits() const { return limits_; }

  // The Lua source of the Redis limiter (exposed for tests).
  static std::string_view ScriptSource();

 private:
  const RateLimits limits_;
  redis::Client* const redis_;
  RedisAvailability* const availability_;
  std::unique_ptr<redis::Script> script_;
  // One GCRA step of `key` in Redis, or in-process while Redis is away; counts a refusal.
  RateDecision Decide(const std::string& key, const Rate& rate, prometheus::Counter* denied);

  LocalLimiter local_;
  std::atomic<bool> local_mode_{false};  // last decision was local: log transitions once
  prometheus::Counter* denied_[3] = {nullptr, nullptr, nullptr};
  prometheus::Counter* denied_address_ = nullptr;
};

}  // namespace integration::gateway
