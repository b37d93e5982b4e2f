// The service-to-service client against real servers: the service's own token (never the end
// user's), request id and trace carried along, the caller's deadline, the circuit opening when
// the upstream is down and closing when it returns, and the metrics per upstream.
#include "integration/grpc/upstream.h"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "integration/auth/service_token.h"
#include "integration/metrics/metrics.h"
#include "integration/status/status.h"
#include "test_support.h"

namespace integration::grpc::testing {
namespace {

constexpr char kEchoPath[] = "/lansstyrelsen.integration.echo.v1.EchoService/Echo";
constexpr char kReason[] = "ECHO_UNAVAILABLE";

std::string Reason(const absl::Status& st) {
  auto info = status::GetErrorInfo(st);
  return info ? info->reason() : "";
}

// The service under test: its key signs its own tokens, which `server`'s verifier accepts.
class Caller {
 public:
  Caller(const EchoServer& server, std::vector<std::string> scopes, std::string target = "",
         std::chrono::milliseconds timeout = std::chrono::seconds(2)) {
    key_file_ = dir_.Write("service.pem", server.issuer().key_pem());
    auth::ServiceTokenOptions t;
    t.key_file = key_file_;
    t.kid = "test-key";
    t.issuer = kIssuer;
    t.audience = kAudience;
    t.service = "early_measures";
    t.scopes = std::move(scopes);
    auto source = auth::ServiceTokenSource::Create(t);
    EXPECT_TRUE(source.ok()) << source.status();
    tokens_ = *std::move(source);
    metrics_ = std::make_shared<metrics::Metrics>();
    UpstreamOptions o;
    o.name = "echo";
    o.target = target.empty() ? server.target() : target;
    o.channel.retry_methods = {"lansstyrelsen.integration.echo.v1.EchoService/Echo"};
    o.timeout = timeout;
    o.breaker.failure_threshold = 3;
    o.breaker.open_for = absl::Milliseconds(300);
    o.unavailable_reason = kReason;
    o.token = [this] { return tokens_->Token(); };
    o.metrics = metrics_;
    auto upstream = Upstream::Create(std::move(o));
    EXPECT_TRUE(upstream.ok()) << upstream.status();
    upstream_ = *std::move(upstream);
    stub_ = echo::EchoService::NewStub(upstream_->channel());
  }

  absl::Status Echo(const CallContext* parent, const std::string& message,
                    echo::EchoResponse* resp = nullptr) {
    echo::EchoRequest req;
    req.set_message(message);
    echo::EchoResponse local;
    return upstream_->Call(parent, &echo::EchoService::Stub::Echo, stub_.get(), kEchoPath, req,
                           resp != nullptr ? resp : &local);
  }

  Upstream& upstream() { return *upstream_; }
  metrics::Metrics& metrics() { return *metrics_; }

 private:
  TempDir dir_;
  std::string key_file_;
  std::unique_ptr<auth::ServiceTokenSource> tokens_;
  std::shared_ptr<metrics::Metrics> metrics_;
  std::unique_ptr<Upstream> upstream_;
  std::unique_ptr<echo::EchoService::Stub> stub_;
};

// A call being served, as a handler would have it: an end user's token and a deadline.
CallContext Parent(absl::Duration left, const std::string& user_token = "user-token") {
  auth::Caller user;
  user.authenticated = true;
  user.role = "organisation_rep";
  user.token = user_token;
  return CallContext(user, "req-42",
                     *TraceContext::Parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
                     absl::Now() + left);
}

TEST(UpstreamTest, CallsWithTheServiceIdentityAndCarriesRequestIdAndTrace) {
  absl::Mutex mu;
  auth::Caller seen;
  std::string seen_request_id, seen_trace;
  EchoServer server([&](const CallContext& c, const echo::EchoRequest& r, echo::EchoResponse* o) {
    absl::MutexLock lock(&mu);
    seen = c.caller();
    seen_request_id = c.request_id();
    seen_trace = c.trace().trace_id;
    return PlainEcho(c, r, o);
  });
  Caller caller(server, {"echo.echo"});
  const CallContext parent = Parent(absl::Seconds(5));
  echo::EchoResponse resp;
  absl::Status st = caller.Echo(&parent, "hej", &resp);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(resp.message(), "hej");
  absl::MutexLock lock(&mu);
  EXPECT_EQ(seen.role, "agency_system");
  EXPECT_EQ(seen.agency, "early_measures");
  EXPECT_EQ(seen.subject, "svc:early_measures");
  EXPECT_EQ(seen.scopes, std::vector<std::string>{"echo.echo"});
  EXPECT_NE(seen.token, "user-token");
  EXPECT_EQ(seen_request_id, "req-42");
  EXPECT_EQ(seen_trace, "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST(UpstreamTest, TheUpstreamsRefusalIsKeptAndDoesNotOpenTheCircuit) {
  EchoServer server;
  Caller caller(server, {"some.other.scope"});
  for (int i = 0; i < 5; ++i) {
    absl::Status st = caller.Echo(nullptr, "x");
    EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(Reason(st), "SCOPE_MISSING");
  }
  EXPECT_EQ(caller.upstream().circuit_state(), CircuitBreaker::State::kClosed);
}

TEST(UpstreamTest, DownOpensTheCircuitAndItClosesWhenTheUpstreamReturns) {
  // A port that was just free: the upstream is "down" there until a server takes it again.
  auto first = std::make_unique<EchoServer>();
  const int port = first->runtime().port();
  const std::string target = first->target();
  const std::shared_ptr<auth::Verifier> verifier = first->issuer().verifier();
  Caller caller(*first, {"echo.echo"}, target);
  ASSERT_TRUE(caller.Echo(nullptr, "up").ok());
  first.reset();

  for (int i = 0; i < 3; ++i) {
    absl::Status st = caller.Echo(nullptr, "down");
    EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
    EXPECT_EQ(Reason(st), kReason);
  }
  EXPECT_EQ(caller.upstream().circuit_state(), CircuitBreaker::State::kOpen);
  // Open: answered at once, without a call.
  const absl::Time before = absl::Now();
  absl::Status st = caller.Echo(nullptr, "open");
  EXPECT_LT(absl::Now() - before, absl::Milliseconds(20));
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Reason(st), kReason);
  EXPECT_EQ(status::GetErrorInfo(st)->metadata().at("cause"), "circuit open");
  EXPECT_EQ(status::GetErrorInfo(st)->metadata().at("upstream"), "echo");

  // The upstream returns on the same port, trusting the same keys.
  ServerOptions options = TestOptions();
  options.listen_address = "127.0.0.1:" + std::to_string(port);
  options.verifier = verifier;
  EchoServer second(PlainEcho, options);
  ASSERT_TRUE(second.start_status().ok());
  // The circuit stays open until its interval passed; then one probe closes it.
  absl::SleepFor(absl::Milliseconds(350));
  st = caller.Echo(nullptr, "probe");
  EXPECT_TRUE(st.ok()) << st;
  EXPECT_EQ(caller.upstream().circuit_state(), CircuitBreaker::State::kClosed);

  const std::string text = caller.metrics().Serialize();
  EXPECT_NE(text.find("grpc_client_handled_total{grpc_code=\"UNAVAILABLE\",grpc_method=\"" +
                      std::string(kEchoPath) + "\",upstream=\"echo\"} 3"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("upstream_circuit_rejected_total{upstream=\"echo\"} 1"), std::string::npos)
      << text;
  EXPECT_NE(text.find("upstream_circuit_open{upstream=\"echo\"} 0"), std::string::npos) << text;
}

TEST(UpstreamTest, ASlowUpstreamDoesNotHoldTheCallPastItsDeadline) {
  std::atomic<bool> slow{true};
  EchoServer server([&](const CallContext& c, const echo::EchoRequest& r, echo::EchoResponse* o) {
    if (slow.load()) absl::SleepFor(absl::Milliseconds(1500));
    return PlainEcho(c, r, o);
  });
  Caller caller(server, {"echo.echo"}, "", std::chrono::seconds(5));
  // The caller has 300 ms left: the call ends by then (minus the margin), as
  // DEADLINE_EXCEEDED, and does not count against the upstream.
  for (int i = 0; i < 4; ++i) {
    const CallContext parent = Parent(absl::Milliseconds(300));
    const absl::Time start = absl::Now();
    absl::Status st = caller.Echo(&parent, "slow");
    const absl::Duration took = absl::Now() - start;
    EXPECT_EQ(st.code(), absl::StatusCode::kDeadlineExceeded) << st;
    EXPECT_EQ(Reason(st), kReason);
    EXPECT_LT(took, absl::Milliseconds(300));
    EXPECT_GE(took, absl::Milliseconds(200));
  }
  EXPECT_EQ(caller.upstream().circuit_state(), CircuitBreaker::State::kClosed);
  // A caller already out of time gets its answer without a call.
  const CallContext late = Parent(absl::Milliseconds(10));
  EXPECT_EQ(caller.Echo(&late, "late").code(), absl::StatusCode::kDeadlineExceeded);

  // Without a parent the upstream's own timeout bounds the call, and a timeout is its failure.
  Caller capped(server, {"echo.echo"}, "", std::chrono::milliseconds(200));
  const absl::Time start = absl::Now();
  absl::Status st = capped.Echo(nullptr, "slow");
  EXPECT_LT(absl::Now() - start, absl::Milliseconds(400));
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable) << st;
  EXPECT_EQ(Reason(st), kReason);
  slow = false;
  EXPECT_TRUE(caller.Echo(nullptr, "fast").ok());
}

TEST(UpstreamTest, CreateRefusesIncompleteOptions) {
  UpstreamOptions o;
  o.name = "grants";
  o.target = "127.0.0.1:1";
  o.unavailable_reason = "X";
  EXPECT_EQ(Upstream::Create(o).status().code(), absl::StatusCode::kInvalidArgument);  // no token
  o.token = [] { return std::string("t"); };
  EXPECT_TRUE(Upstream::Create(o).ok());
  o.unavailable_reason.clear();
  EXPECT_EQ(Upstream::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
  o.unavailable_reason = "X";
  o.channel.retry_methods = {"not a method"};
  EXPECT_EQ(Upstream::Create(o).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace integration::grpc::testing
