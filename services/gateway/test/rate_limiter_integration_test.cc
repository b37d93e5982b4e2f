// Rate limiting against the real test Redis: GCRA through the gateway with RetryInfo, a budget
// shared by gateway instances, and Redis stopping and coming back during the test.
#include <memory>
#include <string>

#include "redis_proxy.h"
#include "dispatcher_test_support.h"
#include "integration/grpc/call_context.h"
#include "integration/redis/client.h"
#include "integration/testing/environment.h"
#include "lansstyrelsen/integration/echo/v1/echo.pb.h"

namespace integration::gateway::testing {
namespace {

namespace echo = ::lansstyrelsen::integration::echo::v1;

constexpr char kEchoPath[] = "/lansstyrelsen.integration.echo.v1.EchoService/Echo";

// Production uses ~50 ms; the tests allow more, so that a loaded test machine (sanitizers, two
// cores) does not turn a slow answer into a simulated outage. Outages in these tests are
// refused connections, which fail at once whatever the timeout.
redis::ClientOptions FastOptions(const std::string& host, int port) {
  redis::ClientOptions o;
  o.host = host;
  o.port = port;
  o.connect_timeout = std::chrono::milliseconds(500);
  o.command_timeout = std::chrono::milliseconds(500);
  o.acquire_timeout = std::chrono::milliseconds(500);
  return o;
}

std::unique_ptr<redis::Client> Connect(const redis::ClientOptions& o) {
  absl::StatusOr<std::unique_ptr<redis::Client>> c = redis::Client::Create(o);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *std::move(c) : nullptr;
}

// A subject no other test run uses, so budgets start empty.
std::string UniqueSubject(const std::string& prefix) { return prefix + "-" + grpc::NewRequestId(); }

echo::EchoRequest Hello() {
  echo::EchoRequest r;
  r.set_message("hej");
  return r;
}

class RateLimiterRedisTest : public ::testing::Test {
 protected:
  RateLimiterRedisTest()
      : redis_(Connect(
            FastOptions(integration::testing::RedisHost(), integration::testing::RedisPort()))),
        backend_({kEchoService}, EchoBytes) {}

  std::unique_ptr<redis::Client> redis_;
  TokenIssuer issuer_;
  TestBackend backend_;
};

TEST_F(RateLimiterRedisTest, BurstThenResourceExhaustedWithRetryInfo) {
  RedisAvailability availability;
  RateLimits limits;
  limits.write = Rate{1.0 / 60, 3, false};
  RateLimiter limiter(limits, redis_.get(), &availability);
  GatewayParts parts;
  parts.backends = {{"echo", backend_.target()}};
  parts.verifier = issuer_.verifier();
  parts.rate_limiter = &limiter;
  TestGateway gateway(parts);

  const std::string subject = UniqueSubject("rl");
  const CallOptions o = WithAuth(issuer_.Bearer(ClaimsFor("county_officer", subject)));
  for (int i = 0; i < 3; ++i) {
    CallResult r = Call(gateway.target(), kEchoPath, Hello(), o);
    ASSERT_TRUE(r.status.ok()) << i << ": " << r.status.error_message();
  }
  CallResult r = Call(gateway.target(), kEchoPath, Hello(), o);
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(r.Reason(), "RATE_LIMITED");
  std::optional<google::rpc::RetryInfo> retry = r.Retry();
  ASSERT_TRUE(retry.has_value());
  EXPECT_GE(retry->retry_delay().seconds(), 55);
  EXPECT_LE(retry->retry_delay().seconds(), 60);
  EXPECT_EQ(r.Header("retry-after"), "60");
  EXPECT_EQ(backend_.calls().size(), 3u);

  // The budget lives in Redis, with an expiry once it is idle; keyed by the caller's pseudonym.
  const std::string key = RateLimitKey(MethodClass::kWrite, issuer_.Subject(subject));
  absl::StatusOr<redis::Reply> ttl = redis_->Command({"PTTL", key});
  ASSERT_TRUE(ttl.ok()) << ttl.status();
  EXPECT_GT(ttl->integer(), 120'000);
  EXPECT_LE(ttl->integer(), 180'000);
  EXPECT_TRUE(availability.up());
}

TEST_F(RateLimiterRedisTest, GatewayInstancesShareOneBudget) {
  RedisAvailability availability_a;
  RedisAvailability availability_b;
  RateLimits limits;
  limits.read = Rate{1, 4, false};
  RateLimiter a(limits, redis_.get(), &availability_a);
  auto other_client =
      Connect(FastOptions(integration::testing::RedisHost(), integration::testing::RedisPort()));
  RateLimiter b(limits, other_client.get(), &availability_b);
  const std::string caller = UniqueSubject("shared");
  int allowed = 0;
  for (int i = 0; i < 4; ++i) {
    RateDecision d = (i % 2 == 0 ? a : b).Check(MethodClass::kRead, caller);
    EXPECT_FALSE(d.local);
    allowed += d.allowed ? 1 : 0;
  }
  EXPECT_EQ(allowed, 4);
  RateDecision d = a.Check(MethodClass::kRead, caller);
  EXPECT_FALSE(d.allowed) << "instance a sees what instance b used";
  EXPECT_FALSE(b.Check(MethodClass::kRead, caller).allowed);
  EXPECT_GT(d.retry_after, absl::ZeroDuration());
  EXPECT_LE(d.retry_after, absl::Seconds(1));
}

TEST_F(RateLimiterRedisTest, RedisStoppingAndReturningDuringTraffic) {
  RedisProxy proxy(integration::testing::RedisHost(), integration::testing::RedisPort());
  auto via_proxy = Connect(FastOptions("127.0.0.1", proxy.port()));
  RedisAvailability availability(absl::Milliseconds(300));
  RateLimits limits;
  limits.write = Rate{1.0 / 60, 5, false};
  RateLimiter limiter(limits, via_proxy.get(), &availability);
  GatewayParts parts;
  parts.backends = {{"echo", backend_.target()}};
  parts.verifier = issuer_.verifier();
  parts.rate_limiter = &limiter;
  TestGateway gateway(parts);
  const std::string subject = UniqueSubject("outage");
  const CallOptions o = WithAuth(issuer_.Bearer(ClaimsFor("county_officer", subject)));
  const std::string key = RateLimitKey(MethodClass::kWrite, issuer_.Subject(subject));

  ASSERT_TRUE(Call(gateway.target(), kEchoPath, Hello(), o).status.ok());
  absl::StatusOr<redis::Reply> exists = redis_->Command({"EXISTS", key});
  ASSERT_TRUE(exists.ok());
  EXPECT_EQ(exists->integer(), 1) << "decided in Redis while it answers";

  proxy.Down();
  for (int i = 0; i < 5; ++i) {
    CallResult r = Call(gateway.target(), kEchoPath, Hello(), o);
    EXPECT_TRUE(r.status.ok()) << r.status.error_message();
    EXPECT_LT(r.elapsed, absl::Milliseconds(500)) << "a Redis outage costs one short timeout";
  }
  EXPECT_FALSE(availability.up());
  CallResult limited = Call(gateway.target(), kEchoPath, Hello(), o);
  EXPECT_EQ(limited.status.error_code(), ::grpc::StatusCode::RESOURCE_EXHAUSTED)
      << "the in-process limiter has the same limits";

  proxy.Up();
  ASSERT_TRUE(WaitFor(
      [&] {
        Call(gateway.target(), kEchoPath, Hello(), o);
        return availability.up();
      },
      absl::Seconds(5)))
      << "Redis is probed again and used once it answers";
  // Back on the shared budget: the Redis one saw 1 of 5 calls before the outage; the calls
  // while probing may have used more, but the decision is Redis's again.
  RateDecision d = limiter.Check(MethodClass::kWrite, issuer_.Subject(subject));
  EXPECT_FALSE(d.local);
}

}  // namespace
}  // namespace integration::gateway::testing
