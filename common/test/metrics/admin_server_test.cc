// Tests of the admin HTTP server (over real sockets) and of the metrics facade it exposes.
#include "integration/metrics/admin_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "integration/metrics/metrics.h"

namespace integration::metrics {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

struct Reply {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string allow;
  bool keep_alive = false;
};

// A minimal HTTP/1.1 client over one connection.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  Reply Send(http::verb verb, std::string_view target, bool keep_alive = true) {
    http::request<http::string_body> request(verb, beast::string_view(target.data(), target.size()),
                                             11);
    request.set(http::field::host, "127.0.0.1");
    request.keep_alive(keep_alive);
    if (verb == http::verb::post) request.body() = "x=1";
    request.prepare_payload();
    http::write(socket_, request);
    http::response<http::string_body> response;
    http::read(socket_, buffer_, response);
    Reply reply;
    reply.status = static_cast<int>(response.result_int());
    reply.body = response.body();
    reply.content_type = std::string(response[http::field::content_type]);
    reply.allow = std::string(response[http::field::allow]);
    reply.keep_alive = response.keep_alive();
    return reply;
  }

  // Whether the server closed the connection (a read returns EOF).
  bool ClosedByServer() {
    beast::error_code ec;
    char byte;
    socket_.read_some(asio::buffer(&byte, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

Reply Get(uint16_t port, std::string_view target) {
  return Client(port).Send(http::verb::get, target, /*keep_alive=*/false);
}

google::protobuf::Struct ParseJson(const std::string& body) {
  google::protobuf::Struct parsed;
  auto status = google::protobuf::util::JsonStringToMessage(body, &parsed);
  EXPECT_TRUE(status.ok()) << status.ToString() << " in: " << body;
  return parsed;
}

class AdminServerTest : public ::testing::Test {
 protected:
  void StartServer() {
    server_ =
        std::make_unique<AdminServer>(metrics_, std::vector<ReadinessCheck>{
                                                    {"postgres", [this] { return pg_status(); }},
                                                    {"redis", [] { return absl::OkStatus(); }},
                                                });
    ASSERT_TRUE(server_->Start(0, "127.0.0.1").ok());
    ASSERT_NE(server_->port(), 0);
  }

  absl::Status pg_status() {
    if (pg_ok_.load()) return absl::OkStatus();
    return absl::UnavailableError("connect to host=db password=hunter2 failed: refused");
  }

  std::shared_ptr<Metrics> metrics_ = std::make_shared<Metrics>();
  std::atomic<bool> pg_ok_{true};
  std::unique_ptr<AdminServer> server_;
};

TEST_F(AdminServerTest, MetricsEndpointShowsRecordedRpcsAndGauges) {
  StartServer();
  const std::string method = "/lansstyrelsen.integration.grants.v1.GrantsService/GetCall";
  metrics_->RecordRpc(method, "OK", 0.004);
  metrics_->RecordRpc(method, "OK", 0.2);
  metrics_->RecordRpc(method, "NOT_FOUND", 0.001);
  auto in_use =
      metrics_->Gauge("pg_pool_connections_in_use", "Connections lent out.", {{"pool", "grants"}});
  ASSERT_TRUE(in_use.ok());
  auto lag = metrics_->Gauge("outbox_lag_seconds", "Age of the oldest unsent event.");
  ASSERT_TRUE(lag.ok());
  metrics_->OnScrape([gauge = *lag] { gauge->Set(42.5); });
  (*in_use)->Set(3);

  Reply reply = Get(server_->port(), "/metrics");
  EXPECT_EQ(reply.status, 200);
  EXPECT_THAT(reply.content_type, StartsWith("text/plain; version=0.0.4"));
  EXPECT_THAT(reply.body, HasSubstr("# TYPE grpc_server_handled_total counter"));
  EXPECT_THAT(reply.body, HasSubstr("grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"" +
                                    method + "\"} 2"));
  EXPECT_THAT(reply.body, HasSubstr("grpc_server_handled_total{grpc_code=\"NOT_FOUND\","
                                    "grpc_method=\"" +
                                    method + "\"} 1"));
  EXPECT_THAT(reply.body, HasSubstr("# TYPE grpc_server_handling_seconds histogram"));
  EXPECT_THAT(reply.body,
              HasSubstr("grpc_server_handling_seconds_count{grpc_method=\"" + method + "\"} 3"));
  EXPECT_THAT(reply.body, HasSubstr("grpc_server_handling_seconds_bucket{grpc_method=\"" + method +
                                    "\",le=\"0.005\"} 2"));
  EXPECT_THAT(reply.body, HasSubstr("pg_pool_connections_in_use{pool=\"grants\"} 3"));
  EXPECT_THAT(reply.body, HasSubstr("outbox_lag_seconds 42.5"));
}

TEST_F(AdminServerTest, HealthzIsOk) {
  StartServer();
  Reply reply = Get(server_->port(), "/healthz");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "ok");
  EXPECT_EQ(Get(server_->port(), "/healthz?verbose=1").status, 200);
}

TEST_F(AdminServerTest, ReadyzFollowsTheChecks) {
  StartServer();
  Reply ready = Get(server_->port(), "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.content_type, "application/json");
  google::protobuf::Struct body = ParseJson(ready.body);
  EXPECT_EQ(body.fields().at("status").string_value(), "ready");
  const auto& checks = body.fields().at("checks").list_value();
  ASSERT_EQ(checks.values_size(), 2);
  EXPECT_EQ(checks.values(0).struct_value().fields().at("name").string_value(), "postgres");
  EXPECT_TRUE(checks.values(0).struct_value().fields().at("ok").bool_value());

  pg_ok_ = false;
  Reply not_ready = Get(server_->port(), "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  body = ParseJson(not_ready.body);
  EXPECT_EQ(body.fields().at("status").string_value(), "not_ready");
  const auto& pg = body.fields().at("checks").list_value().values(0).struct_value();
  EXPECT_FALSE(pg.fields().at("ok").bool_value());
  EXPECT_THAT(pg.fields().at("error").string_value(), HasSubstr("UNAVAILABLE"));
  EXPECT_THAT(pg.fields().at("error").string_value(), HasSubstr("refused"));
  EXPECT_THAT(not_ready.body, Not(HasSubstr("hunter2")));
  const auto& redis = body.fields().at("checks").list_value().values(1).struct_value();
  EXPECT_TRUE(redis.fields().at("ok").bool_value());

  pg_ok_ = true;
  EXPECT_EQ(Get(server_->port(), "/readyz").status, 200);
}

TEST_F(AdminServerTest, ReadyzIsUnavailableWhileShuttingDown) {
  StartServer();
  server_->SetShuttingDown();
  Reply reply = Get(server_->port(), "/readyz");
  EXPECT_EQ(reply.status, 503);
  EXPECT_THAT(reply.body, HasSubstr("\"shutting_down\":true"));
  EXPECT_EQ(Get(server_->port(), "/healthz").status, 200);  // alive, just not taking traffic
}

TEST(AdminServerChecksTest, ThrowingCheckIsNotReadyAndServerKeepsServing) {
  AdminServer server(std::make_shared<Metrics>(),
                     {{"flaky", []() -> absl::Status { throw std::runtime_error("boom"); }}});
  ASSERT_TRUE(server.Start(0, "127.0.0.1").ok());
  Reply reply = Get(server.port(), "/readyz");
  EXPECT_EQ(reply.status, 503);
  EXPECT_THAT(reply.body, HasSubstr("boom"));
  EXPECT_EQ(Get(server.port(), "/healthz").status, 200);
}

TEST(AdminServerChecksTest, NoChecksMeansReady) {
  AdminServer server(std::make_shared<Metrics>());
  ASSERT_TRUE(server.Start(0, "127.0.0.1").ok());
  Reply reply = Get(server.port(), "/readyz");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "{\"status\":\"ready\",\"checks\":[]}");
}

// Non-gating reports show in the body (after the gating checks, in order) with their own
// message, ok or not, and never change the HTTP status; gating checks still do.
TEST(AdminServerReportsTest, ReportsAreDetailThatNeverGatesReadiness) {
  std::atomic<bool> backend_ok{true};
  std::atomic<bool> gate_ok{true};
  AdminServer server(
      std::make_shared<Metrics>(),
      {{"postgres",
        [&] { return gate_ok.load() ? absl::OkStatus() : absl::UnavailableError("pg down"); }}},
      {{"backend:training",
        [&] {
          return backend_ok.load() ? CheckResult{true, "channel READY; health SERVING"}
                                   : CheckResult{false, "channel TRANSIENT_FAILURE for 3s"};
        }},
       {"backend:grants", [] {
          return CheckResult{true, ""};
        }}});
  ASSERT_TRUE(server.Start(0, "127.0.0.1").ok());

  Reply reply = Get(server.port(), "/readyz");
  EXPECT_EQ(reply.status, 200);
  google::protobuf::Struct body = ParseJson(reply.body);
  EXPECT_EQ(body.fields().at("status").string_value(), "ready");
  const auto& checks = body.fields().at("checks").list_value();
  ASSERT_EQ(checks.values_size(), 3);
  const auto& pg = checks.values(0).struct_value().fields();
  EXPECT_EQ(pg.at("name").string_value(), "postgres");
  EXPECT_TRUE(pg.at("gating").bool_value());
  EXPECT_TRUE(pg.at("ok").bool_value());
  EXPECT_EQ(pg.at("message").string_value(), "");
  EXPECT_FALSE(pg.contains("error"));
  const auto& training = checks.values(1).struct_value().fields();
  EXPECT_EQ(training.at("name").string_value(), "backend:training");
  EXPECT_FALSE(training.at("gating").bool_value());
  EXPECT_TRUE(training.at("ok").bool_value());
  EXPECT_EQ(training.at("message").string_value(), "channel READY; health SERVING");
  EXPECT_EQ(checks.values(2).struct_value().fields().at("name").string_value(), "backend:grants");

  // A failing report: still 200 and "ready", the report says what it saw.
  backend_ok = false;
  reply = Get(server.port(), "/readyz");
  EXPECT_EQ(reply.status, 200);
  body = ParseJson(reply.body);
  EXPECT_EQ(body.fields().at("status").string_value(), "ready");
  const auto& down = body.fields().at("checks").list_value().values(1).struct_value().fields();
  EXPECT_FALSE(down.at("ok").bool_value());
  EXPECT_EQ(down.at("message").string_value(), "channel TRANSIENT_FAILURE for 3s");
  EXPECT_EQ(down.at("error").string_value(), "channel TRANSIENT_FAILURE for 3s");

  // The gating check alone decides: failing makes 503 whatever the reports say.
  backend_ok = true;
  gate_ok = false;
  reply = Get(server.port(), "/readyz");
  EXPECT_EQ(reply.status, 503);
  body = ParseJson(reply.body);
  EXPECT_EQ(body.fields().at("status").string_value(), "not_ready");
  const auto& pg_down = body.fields().at("checks").list_value().values(0).struct_value().fields();
  EXPECT_FALSE(pg_down.at("ok").bool_value());
  EXPECT_THAT(pg_down.at("message").string_value(), HasSubstr("pg down"));
  const auto& still_up = body.fields().at("checks").list_value().values(1).struct_value();
  EXPECT_TRUE(still_up.fields().at("ok").bool_value());

  // Shutting down is 503 too, reports unchanged.
  gate_ok = true;
  server.SetShuttingDown();
  EXPECT_EQ(Get(server.port(), "/readyz").status, 503);
}

TEST(AdminServerReportsTest, ReportsOnlyServerIsReadyAndRedactsAndSurvivesThrows) {
  AdminServer server(std::make_shared<Metrics>(), {},
                     {{"leaky",
                       [] {
                         return CheckResult{false, "dial host=db password=hunter2 failed"};
                       }},
                      {"flaky", []() -> CheckResult { throw std::runtime_error("boom"); }},
                      {"unset", nullptr}});
  ASSERT_TRUE(server.Start(0, "127.0.0.1").ok());
  Reply reply = Get(server.port(), "/readyz");
  EXPECT_EQ(reply.status, 200);
  EXPECT_THAT(reply.body, Not(HasSubstr("hunter2")));
  google::protobuf::Struct body = ParseJson(reply.body);
  EXPECT_EQ(body.fields().at("status").string_value(), "ready");
  const auto& checks = body.fields().at("checks").list_value();
  ASSERT_EQ(checks.values_size(), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(checks.values(i).struct_value().fields().at("ok").bool_value()) << i;
    EXPECT_FALSE(checks.values(i).struct_value().fields().at("gating").bool_value()) << i;
  }
  EXPECT_THAT(checks.values(0).struct_value().fields().at("message").string_value(),
              HasSubstr("dial"));
  EXPECT_THAT(checks.values(1).struct_value().fields().at("message").string_value(),
              HasSubstr("boom"));
  EXPECT_EQ(Get(server.port(), "/healthz").status, 200);
}

TEST_F(AdminServerTest, UnknownPathIs404AndOtherMethodsAre405) {
  StartServer();
  EXPECT_EQ(Get(server_->port(), "/").status, 404);
  EXPECT_EQ(Get(server_->port(), "/metricsx").status, 404);
  Client client(server_->port());
  Reply post = client.Send(http::verb::post, "/metrics");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.allow, "GET");
  EXPECT_EQ(client.Send(http::verb::delete_, "/readyz").status, 405);
  EXPECT_EQ(client.Send(http::verb::post, "/nowhere").status, 404);
}

TEST_F(AdminServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  Client client(server_->port());
  for (int i = 0; i < 5; ++i) {
    Reply reply = client.Send(http::verb::get, i % 2 == 0 ? "/healthz" : "/metrics");
    EXPECT_EQ(reply.status, 200) << i;
    EXPECT_TRUE(reply.keep_alive) << i;
  }
  Reply last = client.Send(http::verb::get, "/healthz", /*keep_alive=*/false);
  EXPECT_EQ(last.status, 200);
  EXPECT_FALSE(last.keep_alive);
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(AdminServerTest, ManySequentialAndConcurrentConnections) {
  StartServer();
  for (int i = 0; i < 30; ++i) ASSERT_EQ(Get(server_->port(), "/healthz").status, 200) << i;
  // An idle keep-alive connection must not stop others from being served.
  Client idle(server_->port());
  ASSERT_EQ(idle.Send(http::verb::get, "/healthz").status, 200);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        if (Get(server_->port(), "/metrics").status == 200) ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 40);
}

TEST_F(AdminServerTest, StopClosesOpenConnectionsPromptlyAndFreesThePort) {
  StartServer();
  uint16_t port = server_->port();
  Client open_connection(port);
  ASSERT_EQ(open_connection.Send(http::verb::get, "/healthz").status, 200);
  auto started = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  EXPECT_EQ(server_->port(), 0);
  EXPECT_TRUE(open_connection.ClosedByServer());
  server_->Stop();  // idempotent

  asio::io_context ioc;
  tcp::socket socket(ioc);
  beast::error_code ec;
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  EXPECT_TRUE(ec) << "still accepting after Stop";

  // The same object can start again.
  ASSERT_TRUE(server_->Start(0, "127.0.0.1").ok());
  EXPECT_EQ(Get(server_->port(), "/healthz").status, 200);
}

TEST_F(AdminServerTest, StartErrors) {
  StartServer();
  EXPECT_EQ(server_->Start(0, "127.0.0.1").code(), absl::StatusCode::kFailedPrecondition);
  AdminServer second(metrics_);
  absl::Status taken = second.Start(server_->port(), "127.0.0.1");
  EXPECT_EQ(taken.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(taken.message()), HasSubstr(std::to_string(server_->port())));
  EXPECT_EQ(second.port(), 0);
  AdminServer third(metrics_);
  EXPECT_EQ(third.Start(0, "not-an-address").code(), absl::StatusCode::kInvalidArgument);
}

TEST(MetricsTest, RegistrationErrorsAreStatusesNotExceptions) {
  Metrics metrics;
  EXPECT_EQ(metrics.Gauge("bad name!", "h").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(metrics.Gauge("grpc_server_handled_total", "clash with the counter").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(metrics.Counter("c_total", "h", {{"bad-label", "x"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto a = metrics.Gauge("pool_size", "h", {{"pool", "a"}});
  auto again = metrics.Gauge("pool_size", "h", {{"pool", "a"}});
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*a, *again);  // same name and labels, same gauge
  auto hist = metrics.Histogram("batch_seconds", "h", {0.1, 1});
  ASSERT_TRUE(hist.ok());
  (*hist)->Observe(0.5);
  EXPECT_THAT(metrics.Serialize(), HasSubstr("batch_seconds_bucket{le=\"1\"} 1"));
}

TEST(MetricsTest, SharesAGivenRegistry) {
  auto registry = std::make_shared<prometheus::Registry>();
  Metrics metrics(registry);
  EXPECT_EQ(metrics.registry(), registry);
  metrics.RecordRpc("/a.B/C", "OK", 0.5);
  EXPECT_FALSE(registry->Collect().empty());
}

}  // namespace
}  // namespace integration::metrics
