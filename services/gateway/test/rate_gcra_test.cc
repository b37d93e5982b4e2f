// The rate limiter's pure parts: rate parsing, the GCRA step, the in-process limiter, method
// classes, keys and the Redis availability gate.
#include <google/protobuf/descriptor.h>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "integration/redis/client.h"
#include "integration/status/status.h"
#include "rate_limiter.h"

namespace integration::gateway {
namespace {

const google::protobuf::MethodDescriptor* Method(const std::string& service,
                                                 const std::string& name) {
  const auto* s = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
  return s == nullptr ? nullptr : s->FindMethodByName(name);
}

constexpr char kTraining[] = "lansstyrelsen.integration.training.v1.TrainingService";
constexpr int64_t kSecond = 1'000'000;

TEST(ParseRate, AcceptsTheDocumentedForms) {
  absl::StatusOr<Rate> r = ParseRate("100/s burst 200");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_DOUBLE_EQ(r->per_second, 100);
  EXPECT_EQ(r->burst, 200);
  EXPECT_EQ(r->emission_interval_us(), 10'000);
  EXPECT_FALSE(r->unlimited);

  r = ParseRate(" 600/M ");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_DOUBLE_EQ(r->per_second, 10);
  EXPECT_EQ(r->burst, 600) << "without a burst, a whole interval's count may come at once";

  r = ParseRate("3600/h burst 1");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->emission_interval_us(), kSecond);

  r = ParseRate("off");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->unlimited);
}

TEST(ParseRate, RejectsMalformedRatesSayingWhy) {
  for (const char* bad : {"", "100", "100/d", "0/s", "-1/s", "x/s", "10/s burst", "10/s burst 0",
                          "10/s bust 5", "10/s burst 5 extra"}) {
    absl::StatusOr<Rate> r = ParseRate(bad);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("burst"), absl::string_view::npos) << bad;
    }
  }
}

TEST(GcraStep, AllowsTheBurstAtOnceThenOnePerInterval) {
  const Rate rate{10, 3, false};  // interval 100 ms
  const int64_t now = 1'700'000'000 * kSecond;
  int64_t tat = 0;
  for (int i = 0; i < 3; ++i) {
    GcraResult r = GcraStep(tat, now, rate);
    ASSERT_TRUE(r.allowed) << "call " << i;
    tat = r.new_tat_us;
  }
  GcraResult denied = GcraStep(tat, now, rate);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after_us, 100'000) << "one interval until the next call fits";

  // Just before the interval passed: still denied, with the rest to wait.
  denied = GcraStep(tat, now + 99'000, rate);
  EXPECT_FALSE(denied.allowed);
  EXPECT_EQ(denied.retry_after_us, 1'000);

  GcraResult later = GcraStep(tat, now + 100'000, rate);
  EXPECT_TRUE(later.allowed);
  tat = later.new_tat_us;
  EXPECT_FALSE(GcraStep(tat, now + 100'000, rate).allowed) << "only one call per interval";
}

TEST(GcraStep, AnIdleCallerGetsTheFullBurstBackButNoMore) {
  const Rate rate{10, 2, false};
  const int64_t now = 5 * kSecond;
  int64_t tat = 0;
  for (int i = 0; i < 2; ++i) tat = GcraStep(tat, now, rate).new_tat_us;
  // An hour later the old arrival time is in the past: a burst of 2 again, not thousands.
  const int64_t later = now + 3600 * kSecond;
  int allowed = 0;
  for (int i = 0; i < 10; ++i) {
    GcraResult r = GcraStep(tat, later, rate);
    if (r.allowed) {
      ++allowed;
      tat = r.new_tat_us;
    }
  }
  EXPECT_EQ(allowed, 2);
}

TEST(GcraStep, SustainedRateMatchesTheConfiguredRate) {
  const Rate rate{50, 1, false};  // 20 ms
  int64_t tat = 0;
  int allowed = 0;
  // A caller hammering every millisecond for one second gets one call per 20 ms.
  for (int64_t t = 0; t < kSecond; t += 1000) {
    GcraResult r = GcraStep(tat, 10 * kSecond + t, rate);
    if (r.allowed) {
      ++allowed;
      tat = r.new_tat_us;
    }
  }
  EXPECT_EQ(allowed, 50);
}

TEST(GcraStep, UnlimitedAlwaysAllows) {
  EXPECT_TRUE(GcraStep(1 << 30, 0, Rate{0, 0, true}).allowed);
}

TEST(LocalLimiter, DeniesAfterTheBurstPerKeyWithRetryAfter) {
  int64_t now = 100 * kSecond;
  LocalLimiter limiter([&now] { return now; });
  const Rate rate{1, 2, false};
  EXPECT_TRUE(limiter.Decide("a", rate).allowed);
  EXPECT_TRUE(limiter.Decide("a", rate).allowed);
  RateDecision d = limiter.Decide("a", rate);
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(d.local);
  EXPECT_EQ(d.retry_after, absl::Seconds(1));
  EXPECT_TRUE(limiter.Decide("b", rate).allowed) << "budgets are per key";
  now += kSecond;
  EXPECT_TRUE(limiter.Decide("a", rate).allowed);
}

TEST(LocalLimiter, SweepsEntriesWhoseArrivalTimePassed) {
  int64_t now = 100 * kSecond;
  LocalLimiter limiter([&now] { return now; });
  const Rate rate{1000, 1, false};
  for (int i = 0; i < 5000; ++i) limiter.Decide("caller-" + std::to_string(i), rate);
  EXPECT_EQ(limiter.size(), 5000u) << "live entries are kept";
  now += kSecond;  // every stored arrival time is now in the past
  for (int i = 0; i < 4000; ++i) limiter.Decide("more-" + std::to_string(i), rate);
  // Without sweeping there would be 9000 entries; the 5000 stale ones went.
  EXPECT_LE(limiter.size(), 4000u);
}

TEST(ClassOf, DerivesFromPolicyAndHttpVerb) {
  const auto* list_parts = Method(kTraining, "ListParts");    // public GET
  const auto* get_learner = Method(kTraining, "GetLearner");  // GET
  const auto* create_part = Method(kTraining, "CreatePart");  // POST
  const auto* update_part = Method(kTraining, "UpdatePart");  // PATCH
  ASSERT_TRUE(list_parts && get_learner && create_part && update_part);
  EXPECT_EQ(ClassOf(*list_parts, auth::PolicyOf(*list_parts)), MethodClass::kPublic);
  EXPECT_EQ(ClassOf(*get_learner, auth::PolicyOf(*get_learner)), MethodClass::kRead);
  EXPECT_EQ(ClassOf(*create_part, auth::PolicyOf(*create_part)), MethodClass::kWrite);
  EXPECT_EQ(ClassOf(*update_part, auth::PolicyOf(*update_part)), MethodClass::kWrite);
  EXPECT_EQ(ClassOf(*create_part, nullptr), MethodClass::kWrite);

  auth::Policy explicit_read = *auth::PolicyOf(*create_part);
  explicit_read.set_method_class(lansstyrelsen::integration::auth::v1::METHOD_CLASS_READ);
  EXPECT_EQ(ClassOf(*create_part, &explicit_read), MethodClass::kRead)
      << "an explicit class wins over the verb";
}

TEST(RateLimitKey, NamesClassAndCaller) {
  EXPECT_EQ(RateLimitKey(MethodClass::kRead, "user-1"), "gateway:rl:read:user-1");
  EXPECT_EQ(RateLimitKey(MethodClass::kPublic, "ip:10.0.0.1"), "gateway:rl:public:ip:10.0.0.1");
  auth::Caller anonymous;
  EXPECT_EQ(RateLimitCaller(anonymous, "10.0.0.1"), "ip:10.0.0.1");
  auth::Caller user;
  user.authenticated = true;
  user.subject = "abc";
  EXPECT_EQ(RateLimitCaller(user, "10.0.0.1"), "abc");
}

TEST(RedisAvailability, GoesDownOnUnavailableAndProbesOncePerInterval) {
  RedisAvailability a(absl::Milliseconds(200));
  EXPECT_TRUE(a.up());
  EXPECT_TRUE(a.ShouldTry());
  a.Report(absl::UnavailableError("connection refused"));
  EXPECT_FALSE(a.up());
  EXPECT_FALSE(a.ShouldTry()) << "no probe before the interval";
  absl::SleepFor(absl::Milliseconds(250));
  EXPECT_TRUE(a.ShouldTry()) << "the first caller after the interval probes";
  EXPECT_FALSE(a.ShouldTry()) << "only one probe per interval";
  a.Report(absl::OkStatus());
  EXPECT_TRUE(a.up());
  EXPECT_TRUE(a.ShouldTry());
}

TEST(RedisAvailability, PoolExhaustionAndCommandErrorsAreNoOutage) {
  RedisAvailability a;
  a.Report(status::Unavailable(std::string(redis::kReasonPoolExhausted), "pool busy"));
  EXPECT_TRUE(a.up());
  a.Report(absl::FailedPreconditionError("NOSCRIPT"));
  EXPECT_TRUE(a.up());
  EXPECT_TRUE(IsRedisDown(status::Unavailable(std::string(redis::kReasonUnavailable), "x")));
  EXPECT_FALSE(IsRedisDown(absl::OkStatus()));
}

TEST(RateLimiter, WithoutRedisLimitsInProcess) {
  RateLimits limits;
  limits.write = Rate{1, 2, false};
  RateLimiter limiter(limits, nullptr, nullptr);
  EXPECT_TRUE(limiter.Check(MethodClass::kWrite, "u").allowed);
  EXPECT_TRUE(limiter.Check(MethodClass::kWrite, "u").allowed);
  RateDecision d = limiter.Check(MethodClass::kWrite, "u");
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(d.local);
  EXPECT_GT(d.retry_after, absl::ZeroDuration());
  EXPECT_TRUE(limiter.Check(MethodClass::kRead, "u").allowed) << "classes have their own budget";
}

TEST(RateLimiter, ScriptUsesRedisTimeAndExactArrivalTimes) {
  const std::string_view src = RateLimiter::ScriptSource();
  EXPECT_NE(src.find("redis.call('TIME')"), std::string_view::npos);
  EXPECT_NE(src.find("string.format('%.0f'"), std::string_view::npos);
  EXPECT_NE(src.find("'PX'"), std::string_view::npos) << "budgets expire when idle";
}

}  // namespace
}  // namespace integration::gateway
