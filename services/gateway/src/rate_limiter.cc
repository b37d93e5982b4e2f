// GCRA rate limiting: the shared math, the Redis script, the in-process fallback and the Redis
// availability gate.
#include "rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/api/annotations.pb.h"
#include "integration/log/log.h"
#include "integration/metrics/metrics.h"
#include "integration/redis/client.h"
#include "integration/status/status.h"

namespace integration::gateway {
namespace {

absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

int64_t NowMicros() { return absl::ToUnixMicros(absl::Now()); }

constexpr std::string_view kRateFormat =
    "expected \"<count>/<s|m|h> [burst <n>]\" (e.g. \"100/s burst 200\") or \"off\"";

}  // namespace

std::string_view ClassName(MethodClass c) {
  switch (c) {
    case MethodClass::kRead:
      return "read";
    case MethodClass::kWrite:
      return "write";
    case MethodClass::kPublic:
      return "public";
  }
  return "write";
}

MethodClass ClassOf(const google::protobuf::MethodDescriptor& method, const auth::Policy* policy) {
  if (policy != nullptr) {
    switch (policy->method_class()) {
      case lansstyrelsen::integration::auth::v1::METHOD_CLASS_READ:
        return MethodClass::kRead;
      case lansstyrelsen::integration::auth::v1::METHOD_CLASS_WRITE:
        return MethodClass::kWrite;
      case lansstyrelsen::integration::auth::v1::METHOD_CLASS_PUBLIC:
        return MethodClass::kPublic;
      default:
        break;
    }
    if (policy->public_()) return MethodClass::kPublic;
  }
  const auto& options = method.options();
  if (options.HasExtension(google::api::http) &&
      options.GetExtension(google::api::http).pattern_case() == google::api::HttpRule::kGet) {
    return MethodClass::kRead;
  }
  return MethodClass::kWrite;
}

int64_t Rate::emission_interval_us() const {
  if (unlimited || per_second <= 0) return 0;
  return std::max<int64_t>(1, static_cast<int64_t>(std::llround(1e6 / per_second)));
}

absl::StatusOr<Rate> ParseRate(std::string_view text) {
  const std::string lowered = absl::AsciiStrToLower(absl::StripAsciiWhitespace(Av(text)));
  if (lowered == "off" || lowered == "unlimited") return Rate{0, 0, true};
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("rate \"", Av(text), "\": ", Av(why), "; ", Av(kRateFormat)));
  };
  std::vector<absl::string_view> words = absl::StrSplit(lowered, ' ', absl::SkipWhitespace());
  if (words.empty()) return bad("empty");
  const size_t slash = words[0].find('/');
  if (slash == absl::string_view::npos) return bad("no \"/\" between count and unit");
  int64_t count = 0;
  if (!absl::SimpleAtoi(words[0].substr(0, slash), &count) || count <= 0) {
    return bad("the count must be a whole number > 0");
  }
  const absl::string_view unit = words[0].substr(slash + 1);
  double seconds = 0;
  if (unit == "s") {
    seconds = 1;
  } else if (unit == "m") {
    seconds = 60;
  } else if (unit == "h") {
    seconds = 3600;
  } else {
    return bad("the unit must be s, m or h");
  }
  Rate rate;
  rate.per_second = static_cast<double>(count) / seconds;
  rate.burst = count;
  if (words.size() == 3 && words[1] == "burst") {
    if (!absl::SimpleAtoi(words[2], &rate.burst) || rate.burst <= 0) {
      return bad("the burst must be a whole number > 0");
    }
  } else if (words.size() != 1) {
    return bad("unexpected words after the rate");
  }
  return rate;
}

const Rate& RateLimits::For(MethodClass c) const {
  switch (c) {
    case MethodClass::kRead:
      return read;
    case MethodClass::kPublic:
      return public_;
    case MethodClass::kWrite:
      break;
  }
  return write;
}

GcraResult GcraStep(int64_t tat_us, int64_t now_us, const Rate& rate) {
  GcraResult out;
  if (rate.unlimited) {
    out.allowed = true;
    return out;
  }
  const int64_t interval = rate.emission_interval_us();
  const int64_t tat = std::max(tat_us, now_us);
  const int64_t new_tat = tat + interval;
  // The call fits while the arrival time runs ahead of now by at most burst intervals.
  const int64_t allow_at = new_tat - rate.burst * interval;
  if (allow_at > now_us) {
    out.retry_after_us = allow_at - now_us;
    return out;
  }
  out.allowed = true;
  out.new_tat_us = new_tat;
  return out;
}

LocalLimiter::LocalLimiter(std::function<int64_t()> clock)
    : clock_(clock ? std::move(clock) : std::function<int64_t()>(NowMicros)) {}

RateDecision LocalLimiter::Decide(const std::string& key, const Rate& rate) {
  RateDecision decision;
  decision.local = true;
  if (rate.unlimited) return decision;
  const int64_t now = clock_();
  absl::MutexLock lock(&mu_);
  auto it = tat_.find(key);
  const GcraResult r = GcraStep(it == tat_.end() ? 0 : it->second, now, rate);
  if (!r.allowed) {
    decision.allowed = false;
    decision.retry_after = absl::Microseconds(r.retry_after_us);
    return decision;
  }
  if (it != tat_.end()) {
    it->second = r.new_tat_us;
  } else {
    tat_.emplace(key, r.new_tat_us);
    if (tat_.size() >= sweep_at_) SweepLocked(now);
  }
  return decision;
}

void LocalLimiter::SweepLocked(int64_t now_us) {
  // An arrival time in the past is the same as no entry: GcraStep starts from now either way.
  for (auto it = tat_.begin(); it != tat_.end();) {
    if (it->second <= now_us) {
      tat_.erase(it++);
    } else {
      ++it;
    }
  }
  // Grow the threshold with the live set so that a large population of active callers does
  // not make every insertion sweep.
  sweep_at_ = std::max<size_t>(4096, 2 * tat_.size());
}

size_t LocalLimiter::size() const {
  absl::MutexLock lock(&mu_);
  return tat_.size();
}

RedisAvailability::RedisAvailability(absl::Duration probe_interval,
                                     std::shared_ptr<metrics::Metrics> metrics)
    : probe_interval_(probe_interval) {
  if (metrics != nullptr) {
    absl::StatusOr<prometheus::Gauge*> gauge = metrics->Gauge(
        "gateway_redis_up", "1 while the gateway reaches Redis (rate limits and cache)");
    if (gauge.ok()) {
      gauge_ = *gauge;
      gauge_->Set(1);
    }
  }
}

bool RedisAvailability::ShouldTry() {
  if (up_.load()) return true;
  const int64_t now = NowMicros();
  int64_t next = next_probe_us_.load();
  if (now < next) return false;
  // One caller wins the probe; the others keep using the fallback until it reports.
  return next_probe_us_.compare_exchange_strong(next,
                                                now + absl::ToInt64Microseconds(probe_interval_));
}

void RedisAvailability::Report(const absl::Status& status) {
  const bool down = IsRedisDown(status);
  if (down) {
    next_probe_us_.store(NowMicros() + absl::ToInt64Microseconds(probe_interval_));
    if (up_.exchange(false)) {
      log::Warn("redis_unavailable",
                {{"error", std::string(status.message())},
                 {"effect", "rate limits in-process, response cache bypassed"}});
      if (gauge_ != nullptr) gauge_->Set(0);
    }
  } else if (!up_.exchange(true)) {
    log::Info("redis_available", {{"effect", "rate limits and response cache in Redis again"}});
    if (gauge_ != nullptr) gauge_->Set(1);
  }
}

bool IsRedisDown(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kUnavailable) return false;
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(status);
  return !info.has_value() || info->reason() != redis::kReasonPoolExhausted;
}

std::string RateLimitKey(MethodClass c, std::string_view caller) {
  return absl::StrCat("gateway:rl:", Av(ClassName(c)), ":", Av(caller));
}

std::string RateLimitCaller(const auth::Caller& caller, std::string_view client_address) {
  if (caller.authenticated && !caller.subject.empty()) return caller.subject;
  return absl::StrCat("ip:", Av(client_address));
}

std::string AddressLimitKey(std::string_view client_address) {
  return absl::StrCat("gateway:rl:address:", Av(client_address));
}

std::string_view RateLimiter::ScriptSource() {
  // Lua numbers are doubles: microseconds since 1970 (~1.7e15) are exact below 2^53, but
  // tostring() would print them with 14 digits, hence string.format('%.0f').
  static constexpr std::string_view kSource = R"lua(
-- GCRA. KEYS[1]: the budget's key. ARGV[1]: emission interval (microseconds), ARGV[2]: burst.
-- Returns {1, 0} when allowed, {0, retry_after_microseconds} when not.
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - burst * interval
if allow_at > now then
  return {0, allow_at - now}
end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX',
           math.ceil((new_tat - now) / 1000))
return {1, 0}
)lua";
  return kSource;
}

RateLimiter::RateLimiter(RateLimits limits, redis::Client* redis, RedisAvailability* availability,
                         std::shared_ptr<metrics::Metrics> metrics)
    : limits_(std::move(limits)),
      redis_(redis),
      availability_(availability),
      script_(std::make_unique<redis::Script>(std::string(ScriptSource()))),
      local_mode_(redis == nullptr || availability == nullptr) {
  if (metrics != nullptr) {
    for (MethodClass c : {MethodClass::kRead, MethodClass::kWrite, MethodClass::kPublic}) {
      absl::StatusOr<prometheus::Counter*> counter =
          metrics->Counter("gateway_rate_limited_total", "Calls refused by the rate limiter",
                           {{"class", std::string(ClassName(c))}});
      if (counter.ok()) denied_[static_cast<int>(c)] = *counter;
    }
    absl::StatusOr<prometheus::Counter*> counter =
        metrics->Counter("gateway_rate_limited_total", "Calls refused by the rate limiter",
                         {{"class", "address"}});
    if (counter.ok()) denied_address_ = *counter;
  }
}

RateLimiter::~RateLimiter() = default;

RateDecision RateLimiter::Check(MethodClass c, std::string_view caller) {
  const Rate& rate = limits_.For(c);
  if (rate.unlimited) return RateDecision{};
  return Decide(RateLimitKey(c, caller), rate, denied_[static_cast<int>(c)]);
}

RateDecision RateLimiter::CheckAddress(std::string_view client_address) {
  if (limits_.address.unlimited) return RateDecision{};
  return Decide(AddressLimitKey(client_address), limits_.address, denied_address_);
}

RateDecision RateLimiter::Decide(const std::string& key, const Rate& rate,
                                 prometheus::Counter* denied) {
  RateDecision decision;
  bool decided = false;
  std::string redis_error;
  if (redis_ != nullptr && availability_ != nullptr && availability_->ShouldTry()) {
    absl::StatusOr<redis::Reply> reply = redis_->EvalSha(
        *script_, {key}, {absl::StrCat(rate.emission_interval_us()), absl::StrCat(rate.burst)});
    availability_->Report(reply.status());
    if (reply.ok() && reply->is_array() && reply->elements().size() == 2 &&
        reply->elements()[0].is_integer() && reply->elements()[1].is_integer()) {
      decision.allowed = reply->elements()[0].integer() == 1;
      decision.retry_after = absl::Microseconds(reply->elements()[1].integer());
      decided = true;
    } else {
      redis_error = reply.ok() ? absl::StrCat("unexpected reply ", reply->DebugString())
                               : std::string(reply.status().message());
    }
  } else if (redis_ != nullptr) {
    redis_error = "Redis marked unavailable";
  }
  if (decided) {
    if (local_mode_.exchange(false)) log::Info("rate_limiter_mode", {{"mode", "redis"}});
  } else {
    if (!local_mode_.exchange(true)) {
      log::Warn("rate_limiter_mode", {{"mode", "in_process"}, {"error", redis_error}});
    }
    decision = local_.Decide(key, rate);
  }
  if (!decision.allowed && denied != nullptr) denied->Increment();
  return decision;
}

}  // namespace integration::gateway
