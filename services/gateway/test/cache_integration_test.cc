// The response cache against the real test Redis with a small fake TrainingService: hits and
// misses counted at the backend, invalidation by an event on integration.events.training,
// visibility, TTL, errors never cached, the invalidation race, and bypass while Redis is down.
#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "redis_proxy.h"
#include "dispatcher_test_support.h"
#include "integration/grpc/call_context.h"
#include "integration/redis/client.h"
#include "integration/testing/environment.h"
#include "lansstyrelsen/integration/training/v1/training_service.pb.h"

namespace integration::gateway::testing {
namespace {

namespace training = ::lansstyrelsen::integration::training::v1;

constexpr char kListParts[] = "lansstyrelsen.integration.training.v1.TrainingService/ListParts";
constexpr char kListPartsPath[] =
    "/lansstyrelsen.integration.training.v1.TrainingService/ListParts";
constexpr char kGetPartPath[] = "/lansstyrelsen.integration.training.v1.TrainingService/GetPart";
constexpr char kGetLearnerPath[] =
    "/lansstyrelsen.integration.training.v1.TrainingService/GetLearner";

// The cache and its event streams live in a database of their own, so that events other test
// binaries publish on integration.events.training cannot invalidate entries mid-test.
constexpr int kTestDb = 7;

redis::ClientOptions Options(const std::string& host, int port, std::chrono::milliseconds timeout) {
  redis::ClientOptions o;
  o.host = host;
  o.port = port;
  o.db = kTestDb;
  o.connect_timeout = std::min(timeout, std::chrono::milliseconds(500));
  o.command_timeout = timeout;
  o.acquire_timeout = timeout;
  return o;
}

std::unique_ptr<redis::Client> Connect(const redis::ClientOptions& o) {
  absl::StatusOr<std::unique_ptr<redis::Client>> c = redis::Client::Create(o);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *std::move(c) : nullptr;
}

// The fake service: ListParts answers a part titled after the number of calls so far (which
// shows whether an answer came from the backend), slowly when asked to; GetPart is NOT_FOUND.
class FakeTraining {
 public:
  FakeTraining()
      : backend_({kTrainingService}, [this](const SeenCall& call) { return Answer(call); }) {}

  std::string target() const { return backend_.target(); }
  int list_calls() const { return backend_.count(kListParts); }
  int calls(const std::string& method) const { return backend_.count(method); }
  void set_delay(absl::Duration d) { delay_ms_.store(absl::ToInt64Milliseconds(d)); }

 private:
  BackendReply Answer(const SeenCall& call) {
    BackendReply reply;
    if (call.method == kListParts) {
      training::ListPartsResponse response;
      response.add_parts()->set_title(absl::StrCat("call-", ++list_served_));
      reply.response = response.SerializeAsString();
      reply.delay = absl::Milliseconds(delay_ms_.load());
    } else if (call.method == "lansstyrelsen.integration.training.v1.TrainingService/GetPart") {
      reply.status = ::grpc::Status(::grpc::StatusCode::NOT_FOUND, "no such part");
    }
    return reply;
  }

  std::atomic<int> list_served_{0};
  std::atomic<int64_t> delay_ms_{0};
  TestBackend backend_;
};

std::string TitleOf(const CallResult& r) {
  training::ListPartsResponse response;
  if (!response.ParseFromString(r.response) || response.parts_size() == 0) return "";
  return response.parts(0).title();
}

// A request no other test run sends, so its cache entries start empty.
training::ListPartsRequest UniqueRequest() {
  training::ListPartsRequest r;
  r.set_page_token(grpc::NewRequestId());
  return r;
}

class CacheTest : public ::testing::Test {
 protected:
  CacheTest()
      // Generous timeouts: a loaded test machine must not look like a Redis outage.
      : redis_(Connect(Options(integration::testing::RedisHost(), integration::testing::RedisPort(),
                               std::chrono::milliseconds(1000)))),
        streams_(
            Connect(Options(integration::testing::RedisHost(), integration::testing::RedisPort(),
                            std::chrono::milliseconds(3000)))),
        cache_(redis_.get(), &availability_, absl::Seconds(30)) {
    absl::StatusOr<std::unique_ptr<CacheInvalidator>> inv =
        CacheInvalidator::Start(streams_.get(), {"training"}, std::chrono::milliseconds(200));
    EXPECT_TRUE(inv.ok()) << inv.status();
    invalidator_ = *std::move(inv);
    EXPECT_TRUE(WaitFor([this] { return invalidator_->following(); }, absl::Seconds(5)));
    GatewayParts parts;
    parts.backends = {{"training", fake_.target()}};
    parts.verifier = issuer_.verifier();
    parts.cache = &cache_;
    gateway_ = std::make_unique<TestGateway>(parts);
  }

  // Publishes an event of the training service as its outbox relay would.
  void PublishTrainingEvent() {
    const int64_t before = invalidator_->invalidations();
    absl::StatusOr<redis::Reply> r =
        redis_->Command({"XADD", "integration.events.training", "*", "event_id",
                         grpc::NewRequestId(), "type", "PartUpdatedEvent"});
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(WaitFor([&] { return invalidator_->invalidations() > before; }, absl::Seconds(5)));
  }

  std::unique_ptr<redis::Client> redis_;
  std::unique_ptr<redis::Client> streams_;
  RedisAvailability availability_;
  ResponseCache cache_;
  std::unique_ptr<CacheInvalidator> invalidator_;
  TokenIssuer issuer_;
  FakeTraining fake_;
  std::unique_ptr<TestGateway> gateway_;
};

TEST_F(CacheTest, SecondCallIsServedFromTheCache) {
  const training::ListPartsRequest request = UniqueRequest();
  CallResult first = Call(gateway_->target(), kListPartsPath, request);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  EXPECT_EQ(first.Header("x-cache"), "miss");
  EXPECT_EQ(TitleOf(first), "call-1");

  CallResult second = Call(gateway_->target(), kListPartsPath, request);
  ASSERT_TRUE(second.status.ok()) << second.status.error_message();
  EXPECT_EQ(second.Header("x-cache"), "hit");
  EXPECT_EQ(second.response, first.response);
  EXPECT_EQ(fake_.list_calls(), 1) << "the backend saw only the first call";

  // Another request is another entry.
  CallResult other = Call(gateway_->target(), kListPartsPath, UniqueRequest());
  EXPECT_EQ(other.Header("x-cache"), "miss");
  EXPECT_EQ(fake_.list_calls(), 2);
}

TEST_F(CacheTest, AnEventOfTheServiceInvalidatesItsEntries) {
  const training::ListPartsRequest request = UniqueRequest();
  ASSERT_TRUE(Call(gateway_->target(), kListPartsPath, request).status.ok());
  ASSERT_EQ(Call(gateway_->target(), kListPartsPath, request).Header("x-cache"), "hit");
  ASSERT_EQ(fake_.list_calls(), 1);

  PublishTrainingEvent();
  CallResult after = Call(gateway_->target(), kListPartsPath, request);
  ASSERT_TRUE(after.status.ok());
  EXPECT_EQ(after.Header("x-cache"), "miss");
  EXPECT_EQ(TitleOf(after), "call-2") << "fresh from the backend after the event";
  EXPECT_EQ(fake_.list_calls(), 2);
  CallResult again = Call(gateway_->target(), kListPartsPath, request);
  EXPECT_EQ(again.Header("x-cache"), "hit");
  EXPECT_EQ(TitleOf(again), "call-2");
}

TEST_F(CacheTest, AnAnswerFetchedBeforeAnEventIsNotServedAfterIt) {
  const training::ListPartsRequest request = UniqueRequest();
  fake_.set_delay(absl::Milliseconds(600));
  CallResult slow;
  std::thread caller([&] { slow = Call(gateway_->target(), kListPartsPath, request); });
  ASSERT_TRUE(WaitFor([&] { return fake_.list_calls() == 1; }, absl::Seconds(5)));
  PublishTrainingEvent();  // while the backend is still answering the first call
  caller.join();
  ASSERT_TRUE(slow.status.ok()) << slow.status.error_message();
  fake_.set_delay(absl::ZeroDuration());
  CallResult next = Call(gateway_->target(), kListPartsPath, request);
  EXPECT_EQ(next.Header("x-cache"), "miss")
      << "the stale answer was stored under the old generation";
  EXPECT_EQ(fake_.list_calls(), 2);
}

TEST_F(CacheTest, EntriesAreSeparatedByVisibilityAndExpire) {
  const training::ListPartsRequest request = UniqueRequest();
  ASSERT_EQ(Call(gateway_->target(), kListPartsPath, request).Header("x-cache"), "miss");
  const CallOptions admin = WithAuth(issuer_.Bearer("county_admin"));
  CallResult as_admin = Call(gateway_->target(), kListPartsPath, request, admin);
  ASSERT_TRUE(as_admin.status.ok());
  EXPECT_EQ(as_admin.Header("x-cache"), "miss") << "an administrator may see more than the public";
  EXPECT_EQ(Call(gateway_->target(), kListPartsPath, request, admin).Header("x-cache"), "hit");
  EXPECT_EQ(Call(gateway_->target(), kListPartsPath, request).Header("x-cache"), "hit");
  EXPECT_EQ(fake_.list_calls(), 2);

  absl::StatusOr<redis::Reply> gen = redis_->Command({"GET", GenerationKey("training")});
  ASSERT_TRUE(gen.ok());
  int64_t generation = 0;
  if (gen->is_string()) {
    ASSERT_TRUE(absl::SimpleAtoi(gen->str(), &generation));
  }
  const std::string key =
      CacheKey("lansstyrelsen.integration.training.v1.TrainingService/ListParts", generation,
               request.SerializeAsString(), "public");
  absl::StatusOr<redis::Reply> ttl = redis_->Command({"PTTL", key});
  ASSERT_TRUE(ttl.ok()) << ttl.status();
  EXPECT_GT(ttl->integer(), 0) << key;
  EXPECT_LE(ttl->integer(), 30'000);
}

TEST_F(CacheTest, ErrorsAndNonCacheableMethodsAreNeverCached) {
  training::GetPartRequest get_part;
  get_part.set_name("parts/" + grpc::NewRequestId());
  for (int i = 0; i < 2; ++i) {
    CallResult r = Call(gateway_->target(), kGetPartPath, get_part);
    EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::NOT_FOUND);
  }
  EXPECT_EQ(fake_.calls("lansstyrelsen.integration.training.v1.TrainingService/GetPart"), 2);

  training::GetLearnerRequest learner;
  learner.set_name("learners/" + issuer_.Subject("anna"));
  const CallOptions anna = WithAuth(issuer_.Bearer(ClaimsFor("learner", "anna")));
  for (int i = 0; i < 2; ++i) {
    CallResult r = Call(gateway_->target(), kGetLearnerPath, learner, anna);
    EXPECT_TRUE(r.status.ok()) << r.status.error_message();
    EXPECT_EQ(r.Header("x-cache"), "") << "personal data is not cacheable";
  }
  EXPECT_EQ(fake_.calls("lansstyrelsen.integration.training.v1.TrainingService/GetLearner"), 2);
}

TEST(CacheOutage, RedisStoppingMeansBypassNotFailure) {
  RedisProxy proxy(integration::testing::RedisHost(), integration::testing::RedisPort());
  // The outage is a refused connection, which fails at once whatever the timeout.
  auto redis = Connect(Options("127.0.0.1", proxy.port(), std::chrono::milliseconds(1000)));
  RedisAvailability availability(absl::Milliseconds(200));
  ResponseCache cache(redis.get(), &availability, absl::Seconds(30));
  FakeTraining fake;
  GatewayParts parts;
  parts.backends = {{"training", fake.target()}};
  parts.cache = &cache;
  TestGateway gateway(parts);
  const training::ListPartsRequest request = UniqueRequest();
  ASSERT_EQ(Call(gateway.target(), kListPartsPath, request).Header("x-cache"), "miss");
  ASSERT_EQ(Call(gateway.target(), kListPartsPath, request).Header("x-cache"), "hit");

  proxy.Down();
  for (int i = 0; i < 3; ++i) {
    CallResult r = Call(gateway.target(), kListPartsPath, request);
    ASSERT_TRUE(r.status.ok()) << r.status.error_message();
    EXPECT_EQ(TitleOf(r), absl::StrCat("call-", 2 + i)) << "served by the backend";
    EXPECT_LT(r.elapsed, absl::Milliseconds(500));
  }
  EXPECT_FALSE(availability.up());

  proxy.Up();
  EXPECT_TRUE(WaitFor(
      [&] { return Call(gateway.target(), kListPartsPath, request).Header("x-cache") == "hit"; },
      absl::Seconds(5)))
      << "the cache is used again once Redis answers";
}

}  // namespace
}  // namespace integration::gateway::testing
