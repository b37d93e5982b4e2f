// Service tests of the gateway's admin port as the gateway binary runs it (RunGateway
// in-process): /readyz shows one non-gating line per backend (channel state and the backend's
// own grpc.health.v1 answer) and stays 200 whatever the backends do; the gauges behind it.
#include <gmock/gmock.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backends.h"
#include "dispatcher_test_support.h"
#include "gateway_process.h"
#include "gateway_server.h"
#include "http_test_client.h"

namespace integration::gateway::testing {
namespace {

using ::testing::HasSubstr;

struct AdminReply {
  int status = 0;
  std::string body;
  absl::Duration elapsed;
};

AdminReply GetAdmin(int port, const std::string& path) {
  HttpClient client(port);
  const absl::Time start = absl::Now();
  HttpResponse response = client.Get(path);
  return {static_cast<int>(response.result_int()), response.body(), absl::Now() - start};
}

// The /readyz entry named `name`, or an empty struct.
google::protobuf::Struct Entry(const std::string& body, const std::string& name) {
  google::protobuf::Struct parsed;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(body, &parsed).ok()) << body;
  if (!parsed.fields().contains("checks")) return {};
  for (const auto& value : parsed.fields().at("checks").list_value().values()) {
    if (value.struct_value().fields().at("name").string_value() == name) {
      return value.struct_value();
    }
  }
  return {};
}

bool EntryOk(const google::protobuf::Struct& entry) {
  return entry.fields().contains("ok") && entry.fields().at("ok").bool_value();
}

std::string EntryMessage(const google::protobuf::Struct& entry) {
  return entry.fields().contains("message") ? entry.fields().at("message").string_value() : "";
}

TEST(GatewayReadyzTest, ShowsEachBackendsStateWithoutGatingReadiness) {
  TokenIssuer issuer;
  std::atomic<bool> echo_ready{true};
  auto echo = std::make_unique<TestBackend>(
      std::vector<std::string>{kEchoService}, EchoBytes, [&echo_ready] {
        return echo_ready.load() ? absl::OkStatus() : absl::UnavailableError("database down");
      });
  const int dead_port = UnusedPort();  // "training": configured, nothing listening
  const int admin_port = UnusedPort();
  InProcessGateway gateway({
      "--listen-host=127.0.0.1",
      "--grpc-port=0",
      absl::StrCat("--admin-port=", admin_port),
      "--http-port=0",
      "--shutdown-delay=0",
      "--drain-timeout=2s",
      "--jwks-file=" + issuer.jwks_file(),
      "--subject-key-file=" + issuer.subject_key_file(),
      absl::StrCat("--jwt-issuer=", kIssuer),
      absl::StrCat("--jwt-audience=", kAudience),
      absl::StrCat("--backends=echo=", echo->target(), ",training=127.0.0.1:", dead_port),
      // Nothing listens there: the gateway must not care (in-process limiter, no cache).
      absl::StrCat("--redis-addr=127.0.0.1:", UnusedPort()),
      "--log-level=error",
  });
  ASSERT_TRUE(gateway.started()) << gateway.output();
  ASSERT_EQ(gateway.running().admin_port, admin_port);

  // Echo: connected and its health SERVING; training: the channel failing. Still ready.
  AdminReply reply;
  ASSERT_TRUE(WaitFor(
      [&] {
        reply = GetAdmin(admin_port, "/readyz");
        return EntryOk(Entry(reply.body, "backend:echo")) &&
               EntryMessage(Entry(reply.body, "backend:training")).find("TRANSIENT_FAILURE") !=
                   std::string::npos;
      },
      absl::Seconds(10)))
      << reply.body;
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_THAT(reply.body, HasSubstr("\"status\":\"ready\""));
  google::protobuf::Struct echo_entry = Entry(reply.body, "backend:echo");
  EXPECT_FALSE(echo_entry.fields().at("gating").bool_value());
  EXPECT_THAT(EntryMessage(echo_entry), HasSubstr("channel READY"));
  EXPECT_THAT(EntryMessage(echo_entry), HasSubstr("health SERVING"));
  EXPECT_THAT(EntryMessage(echo_entry), HasSubstr(echo->target()));
  google::protobuf::Struct training_entry = Entry(reply.body, "backend:training");
  EXPECT_FALSE(EntryOk(training_entry));
  EXPECT_FALSE(training_entry.fields().at("gating").bool_value());
  EXPECT_THAT(EntryMessage(training_entry), HasSubstr("health not asked yet"));
  // Nothing gates the gateway's readiness but its own shutdown: every entry is a report.
  google::protobuf::Struct body;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(reply.body, &body).ok()) << reply.body;
  for (const auto& check : body.fields().at("checks").list_value().values()) {
    EXPECT_FALSE(check.struct_value().fields().at("gating").bool_value()) << reply.body;
  }
  // /readyz reads what the watcher recorded: no wait on the dead backend.
  EXPECT_LT(reply.elapsed, absl::Milliseconds(500));

  AdminReply metrics = GetAdmin(admin_port, "/metrics");
  EXPECT_THAT(metrics.body, HasSubstr("backend_up{service=\"echo\"} 1"));
  EXPECT_THAT(metrics.body, HasSubstr("backend_serving{service=\"echo\"} 1"));
  EXPECT_THAT(metrics.body, HasSubstr("backend_up{service=\"training\"} 0"));
  EXPECT_THAT(metrics.body, HasSubstr("backend_serving{service=\"training\"} 0"));

  // Echo connected but NOT_SERVING (its dependency failed): not ok, named, gateway ready.
  echo_ready = false;
  ASSERT_TRUE(WaitFor(
      [&] {
        reply = GetAdmin(admin_port, "/readyz");
        return EntryMessage(Entry(reply.body, "backend:echo")).find("NOT_SERVING") !=
               std::string::npos;
      },
      absl::Seconds(10)))
      << reply.body;
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_FALSE(EntryOk(Entry(reply.body, "backend:echo")));
  EXPECT_THAT(EntryMessage(Entry(reply.body, "backend:echo")), HasSubstr("channel READY"));
  EXPECT_THAT(GetAdmin(admin_port, "/metrics").body,
              HasSubstr("backend_serving{service=\"echo\"} 0"));

  echo_ready = true;
  ASSERT_TRUE(
      WaitFor([&] { return EntryOk(Entry(GetAdmin(admin_port, "/readyz").body, "backend:echo")); },
              absl::Seconds(10)));

  // Echo stopped: its channel fails, the gateway stays ready.
  echo->Stop();
  ASSERT_TRUE(WaitFor(
      [&] {
        reply = GetAdmin(admin_port, "/readyz");
        return !EntryOk(Entry(reply.body, "backend:echo"));
      },
      absl::Seconds(10)))
      << reply.body;
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_THAT(reply.body, HasSubstr("\"status\":\"ready\""));

  // Shutdown: /readyz 503 at once (the runtime's notice), then RunGateway returns 0.
  gateway.Stop();
  EXPECT_EQ(gateway.Join(), kGatewayExitOk) << gateway.output();
}

TEST(GatewayReadyzTest, BadSettingsAreUsageErrorsAndHelpIsOk) {
  {
    std::ostringstream out;
    std::ostringstream err;
    const std::map<std::string, std::string> env;
    GatewayRunOptions options;
    options.environment = &env;
    options.out = &out;
    options.err = &err;
    EXPECT_EQ(RunGateway({"--help"}, options), kGatewayExitOk);
    EXPECT_THAT(out.str(), HasSubstr("--backends"));
    EXPECT_EQ(RunGateway({"--backends=nonsense", "--grpc-port=0"}, options), kGatewayExitUsage);
    EXPECT_THAT(err.str(), HasSubstr("nonsense"));
    EXPECT_EQ(RunGateway({"migrate"}, options), kGatewayExitUsage);
  }
}

TEST(DescribeBackendTest, SaysStateHealthAndTheirAges) {
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  BackendState s;
  s.service = "training";
  s.target = "127.0.0.1:50055";
  s.state = GRPC_CHANNEL_READY;
  s.up = true;
  s.known = true;
  s.since = now - absl::Seconds(12);
  EXPECT_EQ(DescribeBackend(s, now),
            "target 127.0.0.1:50055; channel READY for 12s; health not asked yet");
  EXPECT_FALSE(s.healthy());
  s.health = "SERVING";
  s.health_at = now - absl::Milliseconds(400);
  EXPECT_EQ(DescribeBackend(s, now),
            "target 127.0.0.1:50055; channel READY for 12s; health SERVING 400ms ago");
  EXPECT_TRUE(s.healthy());
  s.state = GRPC_CHANNEL_TRANSIENT_FAILURE;
  s.up = false;
  s.since = now - absl::Minutes(5);
  s.known = false;
  EXPECT_EQ(DescribeBackend(s, now),
            "target 127.0.0.1:50055; channel TRANSIENT_FAILURE for 5m; health SERVING 400ms "
            "ago; no proto compiled in, nothing exposed");
  EXPECT_FALSE(s.healthy());
}

}  // namespace
}  // namespace integration::gateway::testing
