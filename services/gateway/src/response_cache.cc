// Response cache: keys and visibility, the generation-aware Redis look-up, and the event
// follower that invalidates a service's entries.
#include "response_cache.h"

#include <openssl/evp.h>

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "integration/auth/tenancy.h"
#include "integration/log/log.h"
#include "integration/metrics/metrics.h"
#include "integration/redis/client.h"
#include "rate_limiter.h"

namespace integration::gateway {
namespace {

absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

constexpr std::string_view kHex = "0123456789abcdef";
constexpr std::string_view kUpperHex = "0123456789ABCDEF";

// Percent-encodes (RFC 3986 style) everything but [A-Za-z0-9_.-].
std::string KeySafe(std::string_view s) {
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (absl::ascii_isalnum(c) || c == '_' || c == '.' || c == '-') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kUpperHex[c >> 4]);
      out.push_back(kUpperHex[c & 0xf]);
    }
  }
  return out;
}

// Reads the generation and the entry in one round trip. The entry's key is built from the
// generation inside the script, so it is not declared in KEYS: fine for the single Redis the
// gateway uses (not a Redis Cluster).
constexpr std::string_view kLookupScript = R"lua(
local gen = redis.call('GET', KEYS[1]) or '0'
return {gen, redis.call('GET', ARGV[1] .. gen .. ARGV[2])}
)lua";

std::string KeyPrefix(std::string_view method_full_name) {
  return absl::StrCat("gateway:cache:", Av(method_full_name), ":");
}

std::string KeySuffix(std::string_view request, std::string_view visibility) {
  return absl::StrCat(":", Sha256Hex(request), ":", Av(visibility));
}

}  // namespace

std::string CacheVisibility(const auth::Policy& policy, const auth::Caller& caller) {
  if (policy.public_() && !caller.authenticated) return "public";
  if (!caller.authenticated) return "anonymous";
  std::string out = absl::StrCat("role=", KeySafe(caller.role));
  auto add = [&out](std::string_view name, const std::string& value) {
    if (!value.empty()) absl::StrAppend(&out, ";", Av(name), "=", KeySafe(value));
  };
  add("lan", caller.lan);
  add("kommun", caller.kommun);
  add("orgnr", caller.orgnr);
  add("agency", caller.agency);
  if (auth::ParseRole(caller.role) == auth::Role::kLearner) add("sub", caller.subject);
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    // Only fails when OpenSSL cannot allocate; an empty hash would merge distinct requests,
    // so the caller gets a key that never matches anything stored.
    return "unhashable";
  }
  std::string out;
  out.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

std::string CacheKey(std::string_view method_full_name, int64_t generation,
                     std::string_view request, std::string_view visibility) {
  return absl::StrCat(KeyPrefix(method_full_name), generation, KeySuffix(request, visibility));
}

std::string GenerationKey(std::string_view service) {
  return absl::StrCat("gateway:cache:gen:", Av(service));
}

std::string EventStream(std::string_view service) {
  return absl::StrCat("integration.events.", Av(service));
}

ResponseCache::ResponseCache(redis::Client* redis, RedisAvailability* availability,
                             absl::Duration ttl, std::shared_ptr<metrics::Metrics> metrics)
    : redis_(redis),
      availability_(availability),
      ttl_(ttl),
      lookup_script_(std::make_unique<redis::Script>(std::string(kLookupScript))) {
  if (metrics != nullptr) {
    auto counter = [&](std::string_view result) -> prometheus::Counter* {
      absl::StatusOr<prometheus::Counter*> c =
          metrics->Counter("gateway_cache_requests_total",
                           "Look-ups of cacheable methods by result (hit, miss, bypass)",
                           {{"result", std::string(result)}});
      return c.ok() ? *c : nullptr;
    };
    hits_ = counter("hit");
    misses_ = counter("miss");
    bypasses_ = counter("bypass");
  }
}

ResponseCache::~ResponseCache() = default;

ResponseCache::Lookup ResponseCache::Get(std::string_view service,
                                         std::string_view method_full_name,
                                         std::string_view request, std::string_view visibility) {
  Lookup out;
  if (redis_ == nullptr || availability_ == nullptr || !availability_->ShouldTry()) {
    if (bypasses_ != nullptr) bypasses_->Increment();
    return out;
  }
  const std::string prefix = KeyPrefix(method_full_name);
  const std::string suffix = KeySuffix(request, visibility);
  absl::StatusOr<redis::Reply> reply =
      redis_->EvalSha(*lookup_script_, {GenerationKey(service)}, {prefix, suffix});
  availability_->Report(reply.status());
  int64_t generation = 0;
  if (!reply.ok() || !reply->is_array() || reply->elements().size() != 2 ||
      !absl::SimpleAtoi(reply->elements()[0].str(), &generation)) {
    if (reply.ok()) {
      log::Error("cache_lookup_unexpected_reply", {{"reply", reply->DebugString()}});
    } else if (!IsRedisDown(reply.status())) {
      log::Warn("cache_lookup_failed", {{"error", std::string(reply.status().message())}});
    }
    if (bypasses_ != nullptr) bypasses_->Increment();
    return out;
  }
  const redis::Reply& entry = reply->elements()[1];
  if (entry.is_string()) {
    out.hit = true;
    out.response = entry.str();
    if (hits_ != nullptr) hits_->Increment();
    return out;
  }
  out.store_key = absl::StrCat(prefix, generation, suffix);
  if (misses_ != nullptr) misses_->Increment();
  return out;
}

void ResponseCache::Put(const std::string& store_key, std::string_view response) {
  if (store_key.empty() || redis_ == nullptr || availability_ == nullptr ||
      !availability_->ShouldTry()) {
    return;
  }
  const int64_t ttl_ms = std::max<int64_t>(1, absl::ToInt64Milliseconds(ttl_));
  absl::StatusOr<redis::Reply> reply =
      redis_->Command({"SET", store_key, std::string(response), "PX", absl::StrCat(ttl_ms)});
  availability_->Report(reply.status());
  if (!reply.ok() && !IsRedisDown(reply.status())) {
    log::Warn("cache_store_failed", {{"error", std::string(reply.status().message())}});
  }
}

absl::StatusOr<std::unique_ptr<CacheInvalidator>> CacheInvalidator::Start(
    redis::Client* redis, std::vector<std::string> services, std::chrono::milliseconds block,
    std::shared_ptr<metrics::Metrics> metrics) {
  if (redis == nullptr) return absl::InvalidArgumentError("CacheInvalidator needs a Redis client");
  if (block <= std::chrono::milliseconds::zero()) {
    return absl::InvalidArgumentError("the XREAD block time must be > 0");
  }
  // Not make_unique: the constructor is private.
  std::unique_ptr<CacheInvalidator> out(
      new CacheInvalidator(redis, std::move(services), block, std::move(metrics)));
  // Nothing to follow without cached services; the object still answers following().
  if (!out->services_.empty()) out->thread_ = std::thread([raw = out.get()] { raw->Loop(); });
  return out;
}

CacheInvalidator::CacheInvalidator(redis::Client* redis, std::vector<std::string> services,
                                   std::chrono::milliseconds block,
                                   std::shared_ptr<metrics::Metrics> metrics)
    : redis_(redis), services_(std::move(services)), block_(block), metrics_(std::move(metrics)) {}

CacheInvalidator::~CacheInvalidator() { Stop(); }

void CacheInvalidator::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    wake_.SignalAll();
  }
  if (thread_.joinable()) thread_.join();
}

bool CacheInvalidator::Stopping() {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

void CacheInvalidator::Pause(absl::Duration d) {
  absl::MutexLock lock(&mu_);
  const absl::Time wake = absl::Now() + d;
  while (!stopping_ && absl::Now() < wake) wake_.WaitWithDeadline(&mu_, wake);
}

absl::Status CacheInvalidator::Initialise(std::vector<std::string>* ids) {
  // Start after the newest entry of each stream: what came before is older than the events
  // this process must react to. "0-0" for a stream that does not exist yet, so that its very
  // first event counts.
  ids->clear();
  for (const std::string& service : services_) {
    absl::StatusOr<redis::Reply> r =
        redis_->Command({"XREVRANGE", EventStream(service), "+", "-", "COUNT", "1"});
    if (!r.ok()) return r.status();
    std::string id = "0-0";
    if (r->is_array() && !r->elements().empty() && r->elements()[0].is_array() &&
        !r->elements()[0].elements().empty()) {
      id = r->elements()[0].elements()[0].str();
    }
    ids->push_back(std::move(id));
  }
  return absl::OkStatus();
}

absl::Status CacheInvalidator::ReadOnce(std::vector<std::string>* ids) {
  std::vector<std::string> cmd = {"XREAD",  "COUNT", "100", "BLOCK", absl::StrCat(block_.count()),
                                  "STREAMS"};
  for (const std::string& s : services_) cmd.push_back(EventStream(s));
  for (const std::string& id : *ids) cmd.push_back(id);
  absl::StatusOr<redis::Reply> r = redis_->Command(cmd);
  if (!r.ok()) return r.status();
  if (r->is_nil()) return absl::OkStatus();  // nothing within the block time
  for (const redis::Reply& stream : r->elements()) {
    if (!stream.is_array() || stream.elements().size() != 2) continue;
    const std::string& name = stream.elements()[0].str();
    const auto& entries = stream.elements()[1].elements();
    if (entries.empty()) continue;
    for (size_t i = 0; i < services_.size(); ++i) {
      if (EventStream(services_[i]) != name) continue;
      // One increment per batch is enough: any increment hides every older entry. When it
      // fails the position stays, so the batch is read and applied again.
      absl::StatusOr<redis::Reply> incr = redis_->Command({"INCR", GenerationKey(services_[i])});
      if (!incr.ok()) return incr.status();
      const redis::Reply& last = entries.back();
      if (last.is_array() && !last.elements().empty()) (*ids)[i] = last.elements()[0].str();
      invalidations_.fetch_add(1);
      if (metrics_ != nullptr) {
        absl::StatusOr<prometheus::Counter*> c = metrics_->Counter(
            "gateway_cache_invalidations_total",
            "Cache generations bumped by events of the service", {{"service", services_[i]}});
        if (c.ok()) (*c)->Increment();
      }
      log::Debug("cache_invalidated", {{"backend", services_[i]},
                                       {"events", static_cast<int64_t>(entries.size())},
                                       {"generation", static_cast<int64_t>(incr->integer())}});
    }
  }
  return absl::OkStatus();
}

void CacheInvalidator::Loop() {
  std::vector<std::string> ids;
  bool initialised = false;
  bool paused = false;  // logged once per outage
  while (!Stopping()) {
    absl::Status st = initialised ? ReadOnce(&ids) : Initialise(&ids);
    if (!st.ok()) {
      following_.store(false);
      if (!paused) {
        log::Warn("cache_invalidation_paused", {{"error", std::string(st.message())}});
        paused = true;
      }
      Pause(absl::Seconds(1));
      continue;
    }
    initialised = true;
    if (!following_.exchange(true)) {
      paused = false;
      log::Info("cache_invalidation_following",
                {{"streams", static_cast<int64_t>(services_.size())}});
    }
  }
}

}  // namespace integration::gateway
