// The gateway's read-through response cache in Redis for methods whose policy says cacheable
// (published content, open calls: never personal data), keyed by the exact request and the
// caller's visibility, invalidated by the owning service's events.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "integration/auth/auth.h"

namespace prometheus {
class Counter;
}  // namespace prometheus

namespace integration::redis {
class Client;
class Script;
}  // namespace integration::redis

namespace integration::metrics {
class Metrics;
}  // namespace integration::metrics

namespace integration::gateway {

class RedisAvailability;

// Who may see a cached answer. "public" for a public method called without a token. Otherwise
// the caller's role with every claim a service may scope its answer by (a public method may
// answer an administrator with more, e.g. draft modules): "role=<role>", then ";lan=…",
// ";kommun=…", ";orgnr=…", ";agency=…" for the claims present, and ";sub=<subject>" for a
// learner, whose answers are their own. Characters outside [A-Za-z0-9_.-] are percent-encoded,
// so the parts cannot run into each other or into the key's separators.
std::string CacheVisibility(const auth::Policy& policy, const auth::Caller& caller);

// Lowercase hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// "gateway:cache:<pkg.Service/Method>:<generation>:<sha256(request)>:<visibility>".
std::string CacheKey(std::string_view method_full_name, int64_t generation,
                     std::string_view request, std::string_view visibility);
// "gateway:cache:gen:<service>": the service's cache generation, part of every key of its
// methods; incremented on each of its events, which makes every older entry unreachable (they
// expire by TTL).
std::string GenerationKey(std::string_view service);
// "integration.events.<service>", where the outbox relay publishes the service's events.
std::string EventStream(std::string_view service);

// Get and put against Redis. Calls block for at most the Redis client's command timeout; run
// them on an executor thread. A Redis failure is a cache miss (bypass), never an error.
// Thread-safe.
class ResponseCache {
 public:
  // `redis` and `availability` must outlive the cache. `ttl` > 0.
  ResponseCache(redis::Client* redis, RedisAvailability* availability, absl::Duration ttl,
                std::shared_ptr<metrics::Metrics> metrics = nullptr);
  ~ResponseCache();
  ResponseCache(const ResponseCache&) = delete;
  ResponseCache& operator=(const ResponseCache&) = delete;

  struct Lookup {
    bool hit = false;
    std::string response;  // when hit
    // Where to store the answer after a miss: the key of the generation current at lookup
    // time, so an answer fetched before an invalidation can never be stored as current.
    // Empty when Redis was not available (bypass: do not store).
    std::string store_key;
  };
  Lookup Get(std::string_view service, std::string_view method_full_name, std::string_view request,
             std::string_view visibility);
  // Stores a successful answer under Lookup::store_key for the TTL. Failures are ignored.
  void Put(const std::string& store_key, std::string_view response);

  absl::Duration ttl() const { return ttl_; }

 private:
  redis::Client* const redis_;
  RedisAvailability* const availability_;
  const absl::Duration ttl_;
  std::unique_ptr<redis::Script> lookup_script_;
  prometheus::Counter* hits_ = nullptr;
  prometheus::Counter* misses_ = nullptr;
  prometheus::Counter* bypasses_ = nullptr;
};

// Follows the event streams of the cached services (XREAD from the newest entry at start, no
// consumer group: every gateway instance sees every event) and increments a service's cache
// generation on each batch of its events. Runs one thread; survives Redis outages (retries
// every second, picking up where it left off).
class CacheInvalidator {
 public:
  // `redis` must allow a command to block for `block` (its command timeout must be longer)
  // and outlive the invalidator. `services` are stems ("training").
  static absl::StatusOr<std::unique_ptr<CacheInvalidator>> Start(
      redis::Client* redis, std::vector<std::string> services,
      std::chrono::milliseconds block = std::chrono::milliseconds(1000),
      std::shared_ptr<metrics::Metrics> metrics = nullptr);
  // Stops the thread.
  ~CacheInvalidator();
  CacheInvalidator(const CacheInvalidator&) = delete;
  CacheInvalidator& operator=(const CacheInvalidator&) = delete;

  // Ends the thread after its current XREAD (at most about `block`). Idempotent.
  void Stop();
  // Whether the stream positions have been read and events are being followed.
  bool following() const { return following_.load(); }
  // Generations incremented so far.
  int64_t invalidations() const { return invalidations_.load(); }

 private:
  CacheInvalidator(redis::Client* redis, std::vector<std::string> services,
                   std::chrono::milliseconds block, std::shared_ptr<metrics::Metrics> metrics);
  void Loop();
  absl::Status Initialise(std::vector<std::string>* ids);
  absl::Status ReadOnce(std::vector<std::string>* ids);
  bool Stopping();
  void Pause(absl::Duration d);

  redis::Client* const redis_;
  const std::vector<std::string> services_;
  const std::chrono::milliseconds block_;
  std::shared_ptr<metrics::Metrics> metrics_;
  std::atomic<bool> following_{false};
  std::atomic<int64_t> invalidations_{0};
  absl::Mutex mu_;
  absl::CondVar wake_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace integration::gateway
