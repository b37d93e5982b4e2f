// The gateway's gRPC front with in-process backends: forwarding of bytes and metadata,
// authentication and policy at the gateway, error details passed through, deadlines, down or
// missing backends, rate limits, and serving on while Redis is unreachable.
#include <google/protobuf/unknown_field_set.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "dispatcher_test_support.h"
#include "integration/redis/client.h"
#include "integration/testing/free_port.h"
#include "lansstyrelsen/integration/echo/v1/echo.grpc.pb.h"
#include "lansstyrelsen/integration/training/v1/training_service.pb.h"

namespace integration::gateway::testing {
namespace {

namespace echo = ::lansstyrelsen::integration::echo::v1;
namespace training = ::lansstyrelsen::integration::training::v1;

constexpr char kEchoPath[] = "/lansstyrelsen.integration.echo.v1.EchoService/Echo";
// As TestBackend records it.
constexpr char kEchoCall[] = "lansstyrelsen.integration.echo.v1.EchoService/Echo";
constexpr char kListPartsPath[] =
    "/lansstyrelsen.integration.training.v1.TrainingService/ListParts";
constexpr char kGetLearnerPath[] =
    "/lansstyrelsen.integration.training.v1.TrainingService/GetLearner";

// A TCP port nothing listens on (bound, then closed).
int ClosedPort() { return ::integration::testing::FreePort(); }

// grpc.health.v1.Health/Check of the whole server: 1 SERVING, 2 NOT_SERVING, -1 failed.
int HealthStatus(const std::string& target) {
  CallResult r = CallRaw(target, "/grpc.health.v1.Health/Check", "");
  if (!r.status.ok()) return -1;
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromString(r.response)) return -1;
  for (int i = 0; i < fields.field_count(); ++i) {
    if (fields.field(i).number() == 1) return static_cast<int>(fields.field(i).varint());
  }
  return 0;
}

echo::EchoRequest EchoOf(const std::string& message) {
  echo::EchoRequest r;
  r.set_message(message);
  r.set_payload(std::string("\x00\x01\xff", 3));
  return r;
}

// Backend errors carry details the caller must see unchanged.
std::string FailureDetails() {
  google::rpc::Status rpc;
  rpc.set_code(static_cast<int>(::grpc::StatusCode::FAILED_PRECONDITION));
  rpc.set_message("call is closed");
  google::rpc::ErrorInfo info;
  info.set_reason("CALL_CLOSED");
  info.set_domain("echo.integration.lansstyrelsen.se");
  (*info.mutable_metadata())["closed_at"] = "2026-01-31";
  rpc.add_details()->PackFrom(info);
  google::rpc::BadRequest bad;
  auto* v = bad.add_field_violations();
  v->set_field("message");
  v->set_description("must not be \"fail\"");
  rpc.add_details()->PackFrom(bad);
  return rpc.SerializeAsString();
}

BackendReply Script(const SeenCall& call) {
  echo::EchoRequest req;
  if (call.method == "lansstyrelsen.integration.echo.v1.EchoService/Echo" &&
      req.ParseFromString(call.request) && req.message() == "fail") {
    BackendReply r;
    r.status =
        ::grpc::Status(::grpc::StatusCode::FAILED_PRECONDITION, "call is closed", FailureDetails());
    return r;
  }
  return EchoBytes(call);
}

class GrpcFrontTest : public ::testing::Test {
 protected:
  GrpcFrontTest() : backend_({kEchoService, kTrainingService}, Script) {}

  GatewayParts Parts() {
    GatewayParts parts;
    parts.backends = {{"echo", backend_.target()}, {"training", backend_.target()}};
    parts.verifier = issuer_.verifier();
    return parts;
  }

  TokenIssuer issuer_;
  TestBackend backend_;
};

TEST_F(GrpcFrontTest, GeneratedStubCallsThroughTheGatewayWithForwardedMetadata) {
  TestGateway gateway(Parts());
  auto stub = echo::EchoService::NewStub(
      ::grpc::CreateChannel(gateway.target(), ::grpc::InsecureChannelCredentials()));
  const std::string bearer = issuer_.Bearer("county_officer");
  const std::string client_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string client_span = "00f067aa0ba902b7";
  ::grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", bearer);
  ctx.AddMetadata("x-request-id", "req-123");
  ctx.AddMetadata("traceparent", "00-" + client_trace + "-" + client_span + "-01");
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  echo::EchoResponse response;
  ::grpc::Status st = stub->Echo(&ctx, EchoOf("hej"), &response);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(response.message(), "hej");
  EXPECT_EQ(response.payload(), std::string("\x00\x01\xff", 3));

  SeenCall seen = backend_.last();
  EXPECT_EQ(seen.method, "lansstyrelsen.integration.echo.v1.EchoService/Echo");
  EXPECT_EQ(seen.request, EchoOf("hej").SerializeAsString()) << "bytes are forwarded as sent";
  EXPECT_EQ(seen.metadata["authorization"], bearer) << "the service verifies the token again";
  EXPECT_EQ(seen.metadata["x-request-id"], "req-123");
  std::optional<grpc::TraceContext> forwarded =
      grpc::TraceContext::Parse(seen.metadata["traceparent"]);
  ASSERT_TRUE(forwarded.has_value()) << seen.metadata["traceparent"];
  EXPECT_EQ(forwarded->trace_id, client_trace);
  EXPECT_NE(forwarded->span_id, client_span) << "the gateway's own span is the parent";
  EXPECT_EQ(forwarded->flags, 1);

  auto id = ctx.GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(id, ctx.GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(id->second.data(), id->second.size()), "req-123");
}

TEST_F(GrpcFrontTest, InvalidRequestIdIsReplacedAndAMissingTraceStarted) {
  TestGateway gateway(Parts());
  CallOptions o = WithAuth(issuer_.Bearer("county_admin"));
  o.metadata["x-request-id"] = "not valid: has spaces";
  CallResult r = Call(gateway.target(), kEchoPath, EchoOf("x"), o);
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  SeenCall seen = backend_.last();
  EXPECT_NE(seen.metadata["x-request-id"], "not valid: has spaces");
  EXPECT_TRUE(grpc::IsValidRequestId(seen.metadata["x-request-id"]));
  EXPECT_EQ(r.Header("x-request-id"), seen.metadata["x-request-id"]);
  EXPECT_TRUE(grpc::TraceContext::Parse(seen.metadata["traceparent"]).has_value());
}

TEST_F(GrpcFrontTest, NoTokenIsUnauthenticatedAndNeverForwarded) {
  TestGateway gateway(Parts());
  CallResult r = Call(gateway.target(), kEchoPath, EchoOf("x"));
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(r.Reason(), "TOKEN_MISSING");
  EXPECT_FALSE(r.Header("x-request-id").empty()) << "failures carry the request id too";
  EXPECT_EQ(backend_.calls().size(), 0u);
}

TEST_F(GrpcFrontTest, BadTokensAreUnauthenticated) {
  TestGateway gateway(Parts());
  CallResult r = Call(gateway.target(), kEchoPath, EchoOf("x"), WithAuth("Basic dXNlcjpwdw=="));
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(r.Reason(), "TOKEN_MALFORMED");
  r = Call(gateway.target(), kEchoPath, EchoOf("x"), WithAuth("Bearer abc.def.ghi"));
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::UNAUTHENTICATED);
  TokenIssuer stranger;  // a key the gateway does not trust
  r = Call(gateway.target(), kEchoPath, EchoOf("x"), WithAuth(stranger.Bearer("county_admin")));
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(backend_.calls().size(), 0u);
}

TEST_F(GrpcFrontTest, WrongRoleIsPermissionDenied) {
  TestGateway gateway(Parts());
  CallResult r =
      Call(gateway.target(), kEchoPath, EchoOf("x"), WithAuth(issuer_.Bearer("learner")));
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(r.Reason(), "ROLE_NOT_ALLOWED");
  EXPECT_EQ(backend_.calls().size(), 0u);
}

TEST_F(GrpcFrontTest, TenantFieldIsCheckedAtTheGateway) {
  TestGateway gateway(Parts());
  const std::string anna = issuer_.Bearer(ClaimsFor("learner", "anna"));
  training::GetLearnerRequest other;
  other.set_name("learners/bertil");
  CallResult r = Call(gateway.target(), kGetLearnerPath, other, WithAuth(anna));
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(r.Reason(), "TENANT_MISMATCH");
  EXPECT_EQ(backend_.calls().size(), 0u);

  training::GetLearnerRequest own;
  own.set_name("learners/" + issuer_.Subject("anna"));
  r = Call(gateway.target(), kGetLearnerPath, own, WithAuth(anna));
  EXPECT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_EQ(backend_.calls().size(), 1u);
}

TEST_F(GrpcFrontTest, BackendErrorsPassThroughWithTheirDetails) {
  TestGateway gateway(Parts());
  // An agency system with the scope Echo's policy names.
  Claims agency = ClaimsFor("agency_system");
  agency.scopes = {"echo.echo"};
  CallResult r = Call(gateway.target(), kEchoPath, EchoOf("fail"), WithAuth(issuer_.Bearer(agency)));
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(r.status.error_message(), "call is closed");
  EXPECT_EQ(r.status.error_details(), FailureDetails()) << "details unchanged, byte for byte";
  EXPECT_EQ(r.Reason(), "CALL_CLOSED");
}

TEST_F(GrpcFrontTest, StoppedBackendIsUnavailableFastAndTheGatewayStaysServing) {
  TestBackend lonely({kEchoService}, EchoBytes);
  GatewayParts parts = Parts();
  parts.backends = {{"echo", lonely.target()}};
  TestGateway gateway(parts);
  const std::string bearer = issuer_.Bearer("county_officer");
  ASSERT_TRUE(Call(gateway.target(), kEchoPath, EchoOf("up"), WithAuth(bearer)).status.ok());
  lonely.Stop();
  for (int i = 0; i < 3; ++i) {
    CallOptions o = WithAuth(bearer);
    o.timeout = absl::Seconds(5);
    CallResult r = Call(gateway.target(), kEchoPath, EchoOf("down"), o);
    EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::UNAVAILABLE) << r.status.error_message();
    EXPECT_EQ(r.Reason(), "BACKEND_UNAVAILABLE");
    EXPECT_EQ(r.status.error_message().find("127.0.0.1"), std::string::npos)
        << "no internal addresses for the caller: " << r.status.error_message();
    EXPECT_LT(r.elapsed, absl::Seconds(1)) << "a down backend fails fast, not at the deadline";
  }
  EXPECT_TRUE(WaitFor([&] { return HealthStatus(gateway.target()) == 1; }, absl::Seconds(5)))
      << "readiness does not depend on backends";
  EXPECT_TRUE(WaitFor([&] { return gateway.backends().States().at(0).state != GRPC_CHANNEL_READY; },
                      absl::Seconds(5)));
  EXPECT_NE(gateway.backends().Summary().find("echo="), std::string::npos);
}

// Two instances of one service behind one target (in a cluster: the pods a headless Service's
// DNS name lists): the gateway's channel balances round-robin over both, so pods added by a
// scale-up get calls, instead of everything going to the first connected one.
TEST_F(GrpcFrontTest, CallsSpreadOverEveryInstanceOfABackend) {
  TestBackend first({kEchoService}, EchoBytes);
  TestBackend second({kEchoService}, EchoBytes);
  GatewayParts parts = Parts();
  parts.backends = {{"echo", absl::StrCat("ipv4:", first.target(), ",", second.target())}};
  TestGateway gateway(parts);
  const std::string bearer = issuer_.Bearer("county_officer");
  // Until both instances are connected (round_robin connects to every address at once).
  ASSERT_TRUE(WaitFor(
      [&] {
        Call(gateway.target(), kEchoPath, EchoOf("warm"), WithAuth(bearer));
        return first.count(kEchoCall) > 0 && second.count(kEchoCall) > 0;
      },
      absl::Seconds(5)))
      << "the second instance never got a call";
  const int first_before = first.count(kEchoCall);
  const int second_before = second.count(kEchoCall);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(Call(gateway.target(), kEchoPath, EchoOf("spread"), WithAuth(bearer)).status.ok());
  }
  const int to_first = first.count(kEchoCall) - first_before;
  const int to_second = second.count(kEchoCall) - second_before;
  EXPECT_EQ(to_first + to_second, 20);
  EXPECT_GE(to_first, 8) << to_first << " / " << to_second;
  EXPECT_GE(to_second, 8) << to_first << " / " << to_second;
}

TEST_F(GrpcFrontTest, DefaultDeadlineWhenNoneAndLongOnesCapped) {
  GatewayParts parts = Parts();
  parts.default_deadline = absl::Seconds(3);
  parts.max_deadline = absl::Seconds(5);
  TestGateway gateway(parts);
  CallOptions o = WithAuth(issuer_.Bearer("county_officer"));
  o.timeout = std::nullopt;
  ASSERT_TRUE(Call(gateway.target(), kEchoPath, EchoOf("x"), o).status.ok());
  // gRPC sends timeouts rounded up to its wire units: a few milliseconds of slack.
  const absl::Duration slack = absl::Milliseconds(100);
  absl::Duration left = backend_.last().deadline_left;
  EXPECT_GT(left, absl::Seconds(2));
  EXPECT_LE(left, absl::Seconds(3) + slack);

  o.timeout = absl::Seconds(120);
  ASSERT_TRUE(Call(gateway.target(), kEchoPath, EchoOf("x"), o).status.ok());
  left = backend_.last().deadline_left;
  EXPECT_GT(left, absl::Seconds(4));
  EXPECT_LE(left, absl::Seconds(5) + slack);

  o.timeout = absl::Seconds(1);
  ASSERT_TRUE(Call(gateway.target(), kEchoPath, EchoOf("x"), o).status.ok());
  EXPECT_LE(backend_.last().deadline_left, absl::Seconds(1) + slack)
      << "shorter deadlines are kept";
}

TEST_F(GrpcFrontTest, UnknownMethodsAndUnconfiguredServices) {
  GatewayParts parts = Parts();
  parts.backends = {{"echo", backend_.target()}};
  TestGateway gateway(parts);
  const CallOptions o = WithAuth(issuer_.Bearer("county_officer"));
  CallResult r =
      CallRaw(gateway.target(), "/lansstyrelsen.integration.echo.v1.EchoService/Nope", "", o);
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::UNIMPLEMENTED);
  r = Call(gateway.target(), kListPartsPath, training::ListPartsRequest(), o);
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::UNIMPLEMENTED)
      << "a service without a backend is not exposed";

  // The HTTP front may still route to it: the dispatcher answers UNAVAILABLE.
  BackendCall call;
  call.method = FindMethod(kTrainingService, "ListParts");
  BackendResult result = DispatchSync(gateway.dispatcher(), std::move(call));
  EXPECT_EQ(result.status.error_code(), ::grpc::StatusCode::UNAVAILABLE);
  CallResult as_client;
  as_client.status = result.status;
  EXPECT_EQ(as_client.Reason(), "BACKEND_NOT_CONFIGURED");
  EXPECT_TRUE(grpc::IsValidRequestId(result.request_id));

  std::vector<std::string> exposed;
  for (const auto* m : gateway.dispatcher().Methods()) exposed.push_back(m->full_name());
  EXPECT_NE(std::find(exposed.begin(), exposed.end(),
                      "lansstyrelsen.integration.echo.v1.EchoService.Echo"),
            exposed.end());
  EXPECT_NE(std::find(exposed.begin(), exposed.end(),
                      "lansstyrelsen.integration.gateway.v1.GatewayService.GetRegionalOverview"),
            exposed.end());
  for (const std::string& name : exposed) {
    EXPECT_EQ(name.find("TrainingService"), std::string::npos) << name;
  }
}

TEST_F(GrpcFrontTest, RateLimitedAfterTheBurstWithRetryInfo) {
  RateLimits limits;
  limits.write = Rate{1.0 / 60, 2, false};  // 1/m burst 2
  RateLimiter limiter(limits, nullptr, nullptr);
  GatewayParts parts = Parts();
  parts.rate_limiter = &limiter;
  TestGateway gateway(parts);
  const CallOptions o = WithAuth(issuer_.Bearer("county_officer"));
  EXPECT_TRUE(Call(gateway.target(), kEchoPath, EchoOf("1"), o).status.ok());
  EXPECT_TRUE(Call(gateway.target(), kEchoPath, EchoOf("2"), o).status.ok());
  CallResult r = Call(gateway.target(), kEchoPath, EchoOf("3"), o);
  EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(r.Reason(), "RATE_LIMITED");
  std::optional<google::rpc::RetryInfo> retry = r.Retry();
  ASSERT_TRUE(retry.has_value());
  EXPECT_GT(retry->retry_delay().seconds(), 50);
  EXPECT_LE(retry->retry_delay().seconds(), 60);
  EXPECT_EQ(r.Header("retry-after"), "60");
  EXPECT_EQ(backend_.calls().size(), 2u);

  // Another caller has a budget of its own.
  EXPECT_TRUE(Call(gateway.target(), kEchoPath, EchoOf("4"),
                   WithAuth(issuer_.Bearer(ClaimsFor("county_officer", "user-2"))))
                  .status.ok());
}

TEST_F(GrpcFrontTest, BadTokensAreLimitedPerAddressBeforeVerification) {
  RateLimits limits;
  limits.address = Rate{1.0 / 60, 3, false};  // 1/m burst 3
  RateLimiter limiter(limits, nullptr, nullptr);
  GatewayParts parts = Parts();
  parts.rate_limiter = &limiter;
  TestGateway gateway(parts);
  for (int i = 0; i < 3; ++i) {
    CallResult r = Call(gateway.target(), kEchoPath, EchoOf("x"), WithAuth("Bearer not.a.token"));
    EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::UNAUTHENTICATED) << i;
  }
  // The address's budget is spent: refused before the token is looked at, good or bad.
  for (const std::string& bearer : {std::string("Bearer not.a.token"),
                                    issuer_.Bearer("county_officer")}) {
    CallResult r = Call(gateway.target(), kEchoPath, EchoOf("x"), WithAuth(bearer));
    EXPECT_EQ(r.status.error_code(), ::grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_EQ(r.Reason(), "RATE_LIMITED");
    EXPECT_EQ(r.Header("retry-after"), "60");
  }
  EXPECT_TRUE(backend_.calls().empty());
}

TEST_F(GrpcFrontTest, ClientsBehindATrustedProxyHaveBudgetsOfTheirOwn) {
  RateLimits limits;
  limits.public_ = Rate{1.0 / 60, 1, false};  // 1/m burst 1
  auto from = [](const std::string& forwarded_for) {
    CallOptions o;
    o.metadata["x-forwarded-for"] = forwarded_for;
    return o;
  };
  {
    // The test client's socket peer (loopback) is the trusted proxy.
    RateLimiter limiter(limits, nullptr, nullptr);
    GatewayParts parts = Parts();
    parts.rate_limiter = &limiter;
    parts.trusted_proxies = *TrustedProxies::Parse("127.0.0.0/8");
    TestGateway gateway(parts);
    const training::ListPartsRequest list;
    EXPECT_TRUE(Call(gateway.target(), kListPartsPath, list, from("198.51.100.1")).status.ok());
    EXPECT_TRUE(Call(gateway.target(), kListPartsPath, list, from("198.51.100.2")).status.ok())
        << "another client behind the same proxy has a budget of its own";
    // A forged entry left of the proxy's own does not make a new client.
    CallResult again = Call(gateway.target(), kListPartsPath, list, from("9.9.9.9, 198.51.100.1"));
    EXPECT_EQ(again.status.error_code(), ::grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_EQ(again.Reason(), "RATE_LIMITED");
  }
  {
    // Not behind a trusted proxy: the header is the client's own word and changes nothing.
    RateLimiter limiter(limits, nullptr, nullptr);
    GatewayParts parts = Parts();
    parts.rate_limiter = &limiter;
    TestGateway gateway(parts);
    const training::ListPartsRequest list;
    EXPECT_TRUE(Call(gateway.target(), kListPartsPath, list, from("198.51.100.1")).status.ok());
    EXPECT_EQ(Call(gateway.target(), kListPartsPath, list, from("198.51.100.2")).status.error_code(),
              ::grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
}

TEST_F(GrpcFrontTest, RedisUnreachableStillServesWithInProcessLimits) {
  redis::ClientOptions ro;
  ro.host = "127.0.0.1";
  ro.port = ClosedPort();
  ro.connect_timeout = std::chrono::milliseconds(50);
  ro.command_timeout = std::chrono::milliseconds(50);
  ro.acquire_timeout = std::chrono::milliseconds(50);
  absl::StatusOr<std::unique_ptr<redis::Client>> redis = redis::Client::Create(ro);
  ASSERT_TRUE(redis.ok()) << redis.status();
  RedisAvailability availability(absl::Seconds(1));
  RateLimits limits;
  limits.write = Rate{1.0 / 60, 3, false};
  RateLimiter limiter(limits, redis->get(), &availability);
  ResponseCache cache(redis->get(), &availability, absl::Seconds(30));
  GatewayParts parts = Parts();
  parts.rate_limiter = &limiter;
  parts.cache = &cache;
  TestGateway gateway(parts);

  const CallOptions o = WithAuth(issuer_.Bearer("county_officer"));
  for (int i = 0; i < 3; ++i) {
    CallResult r = Call(gateway.target(), kEchoPath, EchoOf("x"), o);
    EXPECT_TRUE(r.status.ok()) << r.status.error_message();
    EXPECT_LT(r.elapsed, absl::Milliseconds(500));
  }
  EXPECT_FALSE(availability.up());
  CallResult limited = Call(gateway.target(), kEchoPath, EchoOf("x"), o);
  EXPECT_EQ(limited.status.error_code(), ::grpc::StatusCode::RESOURCE_EXHAUSTED)
      << "the in-process limiter applies the same limits";
  EXPECT_EQ(limited.Reason(), "RATE_LIMITED");

  // A cacheable method is served from the backend every time (cache bypassed).
  for (int i = 0; i < 2; ++i) {
    CallResult r = Call(gateway.target(), kListPartsPath, training::ListPartsRequest());
    EXPECT_TRUE(r.status.ok()) << r.status.error_message();
  }
  EXPECT_EQ(backend_.count("lansstyrelsen.integration.training.v1.TrainingService/ListParts"), 2);
}

}  // namespace
}  // namespace integration::gateway::testing
