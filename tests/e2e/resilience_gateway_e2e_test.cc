// End-to-end tests of the suite when something gives: the rate limit (429 with Retry-After on
// both fronts, one budget shared across them), Redis stopped during traffic (everything still
// served: cache bypassed, in-process limiter, events waiting in the outbox) and a backend
// stopped (503/UNAVAILABLE at once, the gateway still ready and reporting the backend down in
// /readyz, and using it again when it is back).
#include <gmock/gmock.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "lansstyrelsen/integration/training/v1/training_service.grpc.pb.h"
#include "suite.h"

namespace integration::e2e {
namespace {

namespace v1 = ::lansstyrelsen::integration::training::v1;
using Stub = v1::TrainingService::Stub;
using ::testing::HasSubstr;

// A bound well above what these calls take, far below the 10 s deadline a hanging call would
// reach: what "fast" means here (no timing claim beyond that).
constexpr absl::Duration kFast = absl::Seconds(3);

class ResilienceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<Suite>> suite = Suite::Start(RealServices());
    if (!suite.ok()) {
      start_error_ = suite.status().ToString();
      return;
    }
    suite_ = *std::move(suite);
    // The part every learner here enrols in.
    v1::CreatePartRequest part;
    part.set_part_id("resiliensdel");
    part.mutable_part()->set_title("Resiliens");
    v1::Part created;
    RpcResult r = Invoke(*StubFor(suite_->gateway().grpc_target()), &Stub::CreatePart,
                         suite_->Bearer("county_admin", "admin-1"), part, &created);
    if (!r.ok()) {
      start_error_ = "CreatePart: " + r.Describe();
      suite_.reset();
    }
  }
  static void TearDownTestSuite() { suite_.reset(); }

  void SetUp() override { ASSERT_NE(suite_, nullptr) << start_error_; }

  static std::unique_ptr<Stub> StubFor(const std::string& target) {
    return v1::TrainingService::NewStub(
        ::grpc::CreateChannel(target, ::grpc::InsecureChannelCredentials()));
  }

  Suite& suite() { return *suite_; }
  // The name of the learner whose tokens are Bearer("learner", id).
  std::string Learners(const std::string& id) { return "learners/" + suite().Subject(id); }

  // The learner of `bearer` (`id`) enrolled as learners/me over HTTP through `http_port`; the
  // status of the call.
  static HttpResult EnrolOverHttp(int http_port, const std::string& bearer, const std::string& id) {
    return Http(http_port, "POST", "/v1/learners", bearer,
                absl::StrCat(R"({"name": "learners/me", "displayName": "Gun",
                   "email": ")",
                             id, R"(@example.se",
                   "organisationType": "ORGANISATION_TYPE_ASSOCIATION",
                   "organisationName": "Förening", "kommunkod": "0380",
                   "parts": ["parts/resiliensdel"]})"));
  }

  // The gateway's /readyz entry for `name`: {ok, message}, or {false, ""} when missing.
  static std::pair<bool, std::string> ReadyzEntry(int admin_port, const std::string& name,
                                                  int* http_status = nullptr) {
    HttpResult r = Http(admin_port, "GET", "/readyz");
    if (http_status != nullptr) *http_status = r.status;
    const google::protobuf::Struct json = r.Json();
    if (!json.fields().contains("checks")) return {false, ""};
    for (const auto& v : json.fields().at("checks").list_value().values()) {
      const auto& f = v.struct_value().fields();
      if (f.at("name").string_value() == name) {
        return {f.at("ok").bool_value(), f.at("message").string_value()};
      }
    }
    return {false, ""};
  }

  static std::unique_ptr<Suite> suite_;
  static std::string start_error_;
};

std::unique_ptr<Suite> ResilienceTest::suite_;
std::string ResilienceTest::start_error_;

// A gateway with a read budget of 2 a minute per caller: the third read of one caller is 429
// with Retry-After (HTTP) / RESOURCE_EXHAUSTED RATE_LIMITED with retry-after and RetryInfo
// (gRPC), whichever front the earlier ones came through; another caller is unaffected.
TEST_F(ResilienceTest, RateLimitIs429WithRetryAfterAcrossBothFronts) {
  GatewayConfig tiny;
  tiny.rate_read = "2/m";
  absl::StatusOr<std::unique_ptr<gateway::testing::InProcessGateway>> limited =
      suite().StartGateway(tiny);
  ASSERT_TRUE(limited.ok()) << limited.status();
  auto stub = StubFor((*limited)->grpc_target());
  const int http_port = (*limited)->http_port();

  // Enrol through the default gateway (writes are not limited there).
  const std::string gun = suite().Bearer("learner", "gun");
  ASSERT_EQ(EnrolOverHttp(suite().gateway().http_port(), gun, "gun").status, 200);

  v1::GetLearnerRequest get;
  get.set_name(Learners("gun"));
  v1::Learner learner;
  RpcResult first = Invoke(*stub, &Stub::GetLearner, gun, get, &learner);
  ASSERT_TRUE(first.ok()) << first.Describe();
  HttpResult second = Http(http_port, "GET", "/v1/" + Learners("gun"), gun);
  ASSERT_EQ(second.status, 200) << second.Describe();

  HttpResult third = Http(http_port, "GET", "/v1/" + Learners("gun"), gun);
  EXPECT_EQ(third.status, 429) << third.Describe();
  EXPECT_EQ(third.Reason(), "RATE_LIMITED");
  int retry_after = 0;
  EXPECT_TRUE(absl::SimpleAtoi(third.Header("retry-after"), &retry_after)) << third.Describe();
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 60);
  EXPECT_THAT(third.body, HasSubstr("google.rpc.RetryInfo"));

  RpcResult fourth = Invoke(*stub, &Stub::GetLearner, gun, get, &learner);
  EXPECT_EQ(fourth.code(), ::grpc::StatusCode::RESOURCE_EXHAUSTED) << fourth.Describe();
  EXPECT_EQ(fourth.Reason(), "RATE_LIMITED");
  int grpc_retry_after = 0;
  EXPECT_TRUE(absl::SimpleAtoi(fourth.Header("retry-after"), &grpc_retry_after));
  EXPECT_GE(grpc_retry_after, 1);
  EXPECT_THAT(fourth.status.error_details(), HasSubstr("google.rpc.RetryInfo"));

  // Another caller has a budget of its own.
  const std::string hans = suite().Bearer("learner", "hans");
  ASSERT_EQ(EnrolOverHttp(suite().gateway().http_port(), hans, "hans").status, 200);
  EXPECT_EQ(Http(http_port, "GET", "/v1/" + Learners("hans"), hans).status, 200);
}

// Redis stopped in the middle: public reads (cache bypassed), authenticated reads and writes
// (in-process limiter; the service's events wait in its outbox) keep working on both fronts,
// promptly; when Redis is back the cache is used again.
TEST_F(ResilienceTest, RedisStoppedDuringTrafficStillServes) {
  auto stub = StubFor(suite().gateway().grpc_target());
  const int http_port = suite().gateway().http_port();
  const std::string ines = suite().Bearer("learner", "ines");
  ASSERT_EQ(EnrolOverHttp(http_port, ines, "ines").status, 200);
  // The cache works while Redis runs (once the enrolment's event has bumped its generation).
  ASSERT_TRUE(gateway::testing::WaitFor(
      [&] { return Http(http_port, "GET", "/v1/parts").Header("x-cache") == "hit"; },
      absl::Seconds(10)));

  suite().redis().Stop();

  for (int i = 0; i < 3; ++i) {
    HttpResult parts = Http(http_port, "GET", "/v1/parts");
    EXPECT_EQ(parts.status, 200) << parts.Describe();
    EXPECT_EQ(parts.Header("x-cache"), "miss") << "a cache without Redis";
    EXPECT_LT(parts.elapsed, kFast);

    v1::ListPartsResponse listed;
    RpcResult rpc = Invoke(*stub, &Stub::ListParts, "", v1::ListPartsRequest(), &listed);
    EXPECT_TRUE(rpc.ok()) << rpc.Describe();
    EXPECT_LT(rpc.elapsed, kFast);

    v1::GetLearnerRequest get;
    get.set_name(Learners("ines"));
    v1::Learner learner;
    rpc = Invoke(*stub, &Stub::GetLearner, ines, get, &learner);
    EXPECT_TRUE(rpc.ok()) << rpc.Describe();
    EXPECT_EQ(learner.name(), Learners("ines"));
  }
  // A write: committed by the service although its outbox cannot publish now.
  const std::string jonas = suite().Bearer("learner", "jonas");
  HttpResult enrolled = EnrolOverHttp(http_port, jonas, "jonas");
  EXPECT_EQ(enrolled.status, 200) << enrolled.Describe();
  EXPECT_LT(enrolled.elapsed, kFast);
  EXPECT_EQ(Http(http_port, "GET", "/v1/" + Learners("jonas"), jonas).status, 200);

  ASSERT_TRUE(suite().redis().Restart().ok());
  // The gateway tries Redis again at most once a second; then answers are cached again.
  bool cached = false;
  const absl::Time give_up = absl::Now() + absl::Seconds(15);
  while (!cached && absl::Now() < give_up) {
    cached = Http(http_port, "GET", "/v1/parts").Header("x-cache") == "hit";
    if (!cached) absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_TRUE(cached) << "the cache never came back with Redis";
}

// The training service stopped: calls for it are UNAVAILABLE / 503 at once (not at their
// deadline), the gateway itself stays SERVING and ready with the backend shown down in
// /readyz; once the service is back on its address the gateway uses it again.
TEST_F(ResilienceTest, BackendStoppedIs503FastAndComesBack) {
  auto stub = StubFor(suite().gateway().grpc_target());
  const int http_port = suite().gateway().http_port();
  const int admin_port = suite().gateway().admin_port();
  const std::string report = "backend:training";
  ASSERT_TRUE(gateway::testing::WaitFor([&] { return ReadyzEntry(admin_port, report).first; },
                                        absl::Seconds(10)));
  EXPECT_THAT(ReadyzEntry(admin_port, report).second, HasSubstr("health SERVING"));

  suite().service("training").Stop();

  // GetPart of an unknown part: never cached (only OK answers are), so it must reach the
  // backend; the call's deadline is 10 s.
  v1::GetPartRequest get;
  get.set_name("parts/finns-inte");
  v1::Part part;
  RpcResult rpc = Invoke(*stub, &Stub::GetPart, "", get, &part, absl::Seconds(10));
  EXPECT_EQ(rpc.code(), ::grpc::StatusCode::UNAVAILABLE) << rpc.Describe();
  EXPECT_EQ(rpc.Reason(), "BACKEND_UNAVAILABLE");
  EXPECT_LT(rpc.elapsed, kFast);
  EXPECT_THAT(rpc.status.error_message(), ::testing::Not(HasSubstr("127.0.0.1")));

  HttpResult http = Http(http_port, "GET", "/v1/parts/finns-inte");
  EXPECT_EQ(http.status, 503) << http.Describe();
  EXPECT_EQ(http.Reason(), "BACKEND_UNAVAILABLE");
  EXPECT_LT(http.elapsed, kFast);
  const std::string kalle = suite().Bearer("learner", "kalle");
  HttpResult write = EnrolOverHttp(http_port, kalle, "kalle");
  EXPECT_EQ(write.status, 503) << write.Describe();
  EXPECT_LT(write.elapsed, kFast);

  // The gateway: still SERVING and ready, the backend reported down.
  gateway::testing::CallResult health = gateway::testing::CallRaw(
      suite().gateway().grpc_target(), "/grpc.health.v1.Health/Check", "");
  EXPECT_TRUE(health.status.ok());
  EXPECT_EQ(health.response, std::string("\x08\x01", 2));
  int readyz_status = 0;
  EXPECT_TRUE(gateway::testing::WaitFor(
      [&] { return !ReadyzEntry(admin_port, report, &readyz_status).first; }, absl::Seconds(10)));
  EXPECT_EQ(readyz_status, 200);

  // Back on the same address: used again within a few seconds.
  ASSERT_TRUE(suite().service("training").Restart().ok())
      << suite().service("training").ServerOutput();
  EXPECT_TRUE(gateway::testing::WaitFor(
      [&] { return Http(http_port, "GET", "/v1/parts/finns-inte").status == 404; },
      absl::Seconds(10)));
  EXPECT_TRUE(gateway::testing::WaitFor([&] { return ReadyzEntry(admin_port, report).first; },
                                        absl::Seconds(10)));
  EXPECT_EQ(EnrolOverHttp(http_port, kalle, "kalle").status, 200);
}

}  // namespace
}  // namespace integration::e2e
