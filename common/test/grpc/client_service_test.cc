// The client helpers against real servers: deadline, token, request id and trace forwarded
// from an incoming call to an outgoing one; retries of idempotent methods only; channel errors.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <map>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/grpc/client.h"
#include "test_support.h"

namespace integration::grpc::testing {
namespace {

using ::testing::HasSubstr;

// What the downstream server saw of one call.
struct Seen {
  absl::Time deadline;
  std::string request_id;
  TraceContext trace;
  auth::Caller caller;
};

TEST(ClientTest, OutgoingCallInheritsDeadlineTokenRequestIdAndTrace) {
  absl::Mutex mu;
  Seen downstream_seen;
  Seen upstream_seen;
  absl::Time outgoing_deadline;  // as PrepareClientContext set it
  EchoServer downstream(
      [&](const CallContext& c, const echo::EchoRequest& r, echo::EchoResponse* o) {
        absl::MutexLock lock(&mu);
        downstream_seen = {c.deadline(), c.request_id(), c.trace(), c.caller()};
        return PlainEcho(c, r, o);
      });
  auto downstream_stub = downstream.Stub();
  ServerOptions upstream_options = TestOptions();
  upstream_options.verifier = downstream.issuer().verifier();
  EchoServer upstream(
      [&](const CallContext& c, const echo::EchoRequest& r, echo::EchoResponse* o) {
        {
          absl::MutexLock lock(&mu);
          upstream_seen = {c.deadline(), c.request_id(), c.trace(), c.caller()};
        }
        ::grpc::ClientContext out;
        // "short" asks for a method default shorter than what the caller left us.
        PrepareClientContext(
            out, &c,
            r.message() == "short" ? std::chrono::milliseconds(300) : std::chrono::seconds(30));
        {
          absl::MutexLock lock(&mu);
          outgoing_deadline = absl::FromChrono(out.deadline());
        }
        ::grpc::Status st = downstream_stub->Echo(&out, r, o);
        return st.ok() ? absl::OkStatus() : absl::UnavailableError(st.error_message());
      },
      upstream_options);

  const std::string token = downstream.issuer().Token("county_officer", "officer-9");
  auto call_upstream = [&](const std::string& message) {
    ::grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    ctx.AddMetadata("authorization", "Bearer " + token);
    ctx.AddMetadata("x-request-id", "chain-" + message);
    ctx.AddMetadata("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    echo::EchoRequest req;
    req.set_message(message);
    echo::EchoResponse resp;
    return upstream.Stub()->Echo(&ctx, req, &resp);
  };

  ::grpc::Status st = call_upstream("long");
  ASSERT_TRUE(st.ok()) << st.error_message();
  {
    absl::MutexLock lock(&mu);
    // Exactly the parent's deadline minus the margin (to the wire's microsecond precision).
    EXPECT_LE(absl::AbsDuration(upstream_seen.deadline - kDeadlineMargin - outgoing_deadline),
              absl::Microseconds(1));
    // The wire carries a relative timeout, so the downstream deadline is later by the transit
    // time; it still ends before the upstream one.
    const absl::Duration gap = upstream_seen.deadline - downstream_seen.deadline;
    EXPECT_GT(gap, absl::ZeroDuration());
    EXPECT_LE(gap, kDeadlineMargin + absl::Milliseconds(5));
    EXPECT_EQ(downstream_seen.request_id, "chain-long");
    EXPECT_EQ(downstream_seen.trace.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    EXPECT_NE(downstream_seen.trace.span_id, upstream_seen.trace.span_id);
    EXPECT_EQ(downstream_seen.trace.flags, 1);
    EXPECT_TRUE(downstream_seen.caller.authenticated);
    EXPECT_EQ(downstream_seen.caller.role, "county_officer");
    // The subject's pseudonym, as the downstream service names the caller.
    EXPECT_EQ(downstream_seen.caller.subject,
              downstream.issuer().Subject("officer-9", "county_officer"));
  }

  const absl::Time before = absl::Now();
  st = call_upstream("short");
  const absl::Time after = absl::Now();
  ASSERT_TRUE(st.ok()) << st.error_message();
  absl::MutexLock lock(&mu);
  // The method default (300 ms from when the upstream handler called) wins over the 2 s the
  // caller left.
  EXPECT_LE(downstream_seen.deadline, after + absl::Milliseconds(300));
  EXPECT_GE(downstream_seen.deadline, before + absl::Milliseconds(290));
  EXPECT_LT(downstream_seen.deadline, upstream_seen.deadline - absl::Seconds(1));
}

TEST(ClientTest, ContextWithoutParentHasDefaultDeadlineOnly) {
  ::grpc::ClientContext ctx;
  const auto before = std::chrono::system_clock::now();
  PrepareClientContext(ctx, nullptr, std::chrono::milliseconds(1500));
  const auto timeout = ctx.deadline() - before;
  EXPECT_GE(timeout, std::chrono::milliseconds(1490));
  EXPECT_LE(timeout, std::chrono::milliseconds(1600));
}

TEST(ClientTest, ContextOfExpiredParentFailsFast) {
  CallContext parent(auth::Caller{}, "r-1", TraceContext::NewRoot(),
                     absl::Now() - absl::Seconds(1));
  EchoServer server;
  ::grpc::ClientContext ctx;
  PrepareClientContext(ctx, &parent, std::chrono::seconds(10));
  echo::EchoResponse resp;
  EXPECT_EQ(server.Stub()->Echo(&ctx, echo::EchoRequest(), &resp).error_code(),
            ::grpc::StatusCode::DEADLINE_EXCEEDED);
}

// Fails the first attempt of every distinct message with UNAVAILABLE.
class FlakyEcho {
 public:
  absl::Status operator()(const CallContext& c, const echo::EchoRequest& r, echo::EchoResponse* o) {
    absl::MutexLock lock(&mu_);
    if (attempts_[r.message()]++ == 0) return status::Unavailable("FLAKY", "try again");
    return PlainEcho(c, r, o);
  }
  int attempts(const std::string& message) {
    absl::MutexLock lock(&mu_);
    return attempts_[message];
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, int> attempts_;
};

TEST(ClientTest, RetriesOnlyTheListedIdempotentMethods) {
  FlakyEcho flaky;
  EchoServer server([&](const CallContext& c, const echo::EchoRequest& r, echo::EchoResponse* o) {
    return flaky(c, r, o);
  });
  auto call = [&](const ChannelOptions& options, const std::string& message) {
    auto stub = server.Stub(options);
    ::grpc::ClientContext ctx;
    server.Prepare(ctx);
    echo::EchoRequest req;
    req.set_message(message);
    echo::EchoResponse resp;
    return stub->Echo(&ctx, req, &resp);
  };
  ChannelOptions by_method;
  by_method.retry_methods = {kEchoMethod};
  EXPECT_TRUE(call(by_method, "m").ok());
  EXPECT_EQ(flaky.attempts("m"), 2);

  ChannelOptions by_service;
  by_service.retry_methods = {kEchoService};
  EXPECT_TRUE(call(by_service, "s").ok());
  EXPECT_EQ(flaky.attempts("s"), 2);

  ChannelOptions none;
  EXPECT_EQ(call(none, "n").error_code(), ::grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(flaky.attempts("n"), 1);

  ChannelOptions other;
  other.retry_methods = {"lansstyrelsen.integration.echo.v1.EchoService/Other"};
  EXPECT_EQ(call(other, "o").error_code(), ::grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(flaky.attempts("o"), 1);
}

TEST(ClientTest, RetryServiceConfigValidatesNames) {
  absl::StatusOr<std::string> json = RetryServiceConfig({kEchoMethod}, 3);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, HasSubstr("\"maxAttempts\":3"));
  EXPECT_THAT(*json, HasSubstr("\"retryableStatusCodes\":[\"UNAVAILABLE\"]"));
  EXPECT_THAT(*json, HasSubstr("\"method\":\"Echo\""));
  EXPECT_EQ(*json,
            "{\"methodConfig\":[{\"name\":[{\"service\":\"lansstyrelsen.integration.echo.v1."
            "EchoService\",\"method\":\"Echo\"}],\"retryPolicy\":{\"maxAttempts\":3,"
            "\"initialBackoff\":\"0.05s\",\"maxBackoff\":\"1s\",\"backoffMultiplier\":2,"
            "\"retryableStatusCodes\":[\"UNAVAILABLE\"]}}]}");
  EXPECT_THAT(*RetryServiceConfig({"pkg.Service"}, 2),
              HasSubstr("[{\"service\":\"pkg.Service\"}]"));
  EXPECT_EQ(*RetryServiceConfig({}, 3), "{}");
  for (const char* bad : {"", "/Echo", "pkg.Service/", "a/b/c", "pkg.Service/Ec\"ho", ".pkg/X"}) {
    EXPECT_EQ(RetryServiceConfig({bad}, 3).status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_FALSE(RetryServiceConfig({kEchoMethod}, 1).ok());
  ChannelOptions bad;
  bad.retry_methods = {"a b"};
  EXPECT_FALSE(MakeChannel("127.0.0.1:1", bad).ok());
}

// Echo handlers that count their calls, for telling two servers' shares apart.
EchoHandler Counting(std::atomic<int>& calls) {
  return [&calls](const CallContext& call, const echo::EchoRequest& req, echo::EchoResponse* resp) {
    ++calls;
    return PlainEcho(call, req, resp);
  };
}

TEST(ClientTest, RoundRobinSpreadsCallsOverEveryAddressOfTheTarget) {
  std::atomic<int> a_calls{0};
  std::atomic<int> b_calls{0};
  EchoServer a(Counting(a_calls));
  ServerOptions b_options = TestOptions();
  b_options.verifier = a.issuer().verifier();  // one token for both
  EchoServer b(Counting(b_calls), b_options);
  // Two addresses behind one target, as a headless Service's DNS name lists its pods.
  const std::string target = "ipv4:" + a.target() + "," + b.target();
  auto run = [&](const ChannelOptions& options, int calls) {
    absl::StatusOr<std::shared_ptr<::grpc::Channel>> channel = MakeChannel(target, options);
    EXPECT_TRUE(channel.ok()) << channel.status();
    auto stub = echo::EchoService::NewStub(*channel);
    // Until every address is connected (round_robin connects them all; pick_first one).
    (*channel)->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5));
    absl::SleepFor(absl::Milliseconds(200));
    a_calls = 0;
    b_calls = 0;
    for (int i = 0; i < calls; ++i) {
      ::grpc::ClientContext ctx;
      a.Prepare(ctx);
      echo::EchoRequest req;
      req.set_message("rr");
      echo::EchoResponse resp;
      EXPECT_TRUE(stub->Echo(&ctx, req, &resp).ok());
    }
  };

  run(ChannelOptions{}, 20);
  EXPECT_EQ(a_calls + b_calls, 20);
  EXPECT_GE(a_calls.load(), 8) << "round_robin must use both addresses";
  EXPECT_GE(b_calls.load(), 8) << "round_robin must use both addresses";

  // gRPC's default, which the channels had before: every call to one address.
  ChannelOptions first;
  first.load_balancing_policy = "pick_first";
  run(first, 20);
  EXPECT_TRUE(a_calls == 0 || b_calls == 0) << a_calls << " / " << b_calls;
}

TEST(ClientTest, ChannelServiceConfigNamesTheBalancerAndRefusesUnknownOnes) {
  ChannelOptions options;
  options.retry_methods = {kEchoMethod};
  absl::StatusOr<std::string> json = ChannelServiceConfig(options);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_THAT(*json, HasSubstr("\"loadBalancingConfig\":[{\"round_robin\":{}}]"));
  EXPECT_THAT(*json, HasSubstr("\"maxAttempts\":3"));
  options.load_balancing_policy = "round_robbin";
  EXPECT_EQ(ChannelServiceConfig(options).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(MakeChannel("127.0.0.1:1", options).ok());
}

TEST(ClientTest, MakeChannelRefusesUnreadableTlsFiles) {
  ChannelOptions options;
  options.tls.enabled = true;
  options.tls.ca_file = "/nonexistent/ca.pem";
  absl::StatusOr<std::shared_ptr<::grpc::Channel>> channel = MakeChannel("localhost:1", options);
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(channel.status().message()), HasSubstr("/nonexistent/ca.pem"));
  options.tls.ca_file = "";
  options.tls.cert_file = "/nonexistent/client.pem";
  EXPECT_EQ(MakeChannel("localhost:1", options).status().code(),
            absl::StatusCode::kInvalidArgument);  // cert without key
  EXPECT_FALSE(MakeChannel("", ChannelOptions()).ok());
}

}  // namespace
}  // namespace integration::grpc::testing
