// Runtime through a real server: health states driven by readiness checks and shutdown,
// graceful drain of an in-flight call, close hooks, admin port, reflection (off unless set), start-up errors.
#include <arpa/inet.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "test_support.h"

namespace integration::grpc::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// grpc.health.v1.HealthCheckResponse.ServingStatus
constexpr int kServing = 1;
constexpr int kNotServing = 2;

std::string Flatten(const ::grpc::ByteBuffer& buffer) {
  std::vector<::grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

// grpc.health.v1.Health/Check through a generic stub, with the messages hand-encoded: the
// request is {string service = 1}, the response {ServingStatus status = 1} (a varint).
// Returns the status, or -1 when the call failed.
int HealthCheck(const std::shared_ptr<::grpc::Channel>& channel, const std::string& service = "") {
  std::string request;
  if (!service.empty()) {
    request.push_back(0x0a);
    request.push_back(static_cast<char>(service.size()));
    request += service;
  }
  ::grpc::Slice slice(request);
  ::grpc::ByteBuffer in(&slice, 1);
  ::grpc::ByteBuffer out;
  ::grpc::GenericStub stub(channel);
  ::grpc::ClientContext ctx;
  WithDeadline(ctx, std::chrono::seconds(5));
  absl::Notification done;
  ::grpc::Status status;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", ::grpc::StubOptions(), &in, &out,
                 [&](::grpc::Status st) {
                   status = std::move(st);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (!status.ok()) return -1;
  const std::string bytes = Flatten(out);
  if (bytes.empty()) return 0;  // UNKNOWN is the default value and encodes as nothing
  if (bytes.size() != 2 || bytes[0] != 0x08) return -1;
  return bytes[1];
}

// Polls until HealthCheck returns `want` or 5 s passed.
bool EventuallyHealth(const std::shared_ptr<::grpc::Channel>& channel, int want,
                      const std::string& service = "") {
  const absl::Time until = absl::Now() + absl::Seconds(5);
  while (absl::Now() < until) {
    if (HealthCheck(channel, service) == want) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

// One HTTP/1.1 GET on the loopback: "<status code>\n<body>".
std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "connect failed";
  }
  const std::string request =
      "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return "write failed";
  }
  std::string response;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) response.append(buf, static_cast<size_t>(n));
  close(fd);
  const size_t space = response.find(' ');
  const size_t body = response.find("\r\n\r\n");
  if (space == std::string::npos || body == std::string::npos) return "bad response";
  return response.substr(space + 1, 3) + "\n" + response.substr(body + 4);
}

TEST(RuntimeTest, HealthFollowsReadinessThenShutdown) {
  std::atomic<bool> database_up{false};
  ServerOptions options = TestOptions();
  options.shutdown_notice_delay = std::chrono::milliseconds(1500);
  EchoServer server(PlainEcho, options, [&](Runtime& rt) {
    rt.AddReadinessCheck("postgres", [&] {
      return database_up.load() ? absl::OkStatus() : absl::UnavailableError("connection refused");
    });
  });
  auto channel = server.Channel();
  EXPECT_EQ(HealthCheck(channel), kNotServing);
  EXPECT_EQ(HealthCheck(channel, kEchoService), kNotServing);
  // Alive although not ready: a liveness probe must not restart a server waiting for its
  // database.
  EXPECT_EQ(HealthCheck(channel, std::string(kLivenessService)), kServing);
  EXPECT_FALSE(server.runtime().serving());
  absl::Status readiness = server.runtime().CheckReadiness();
  EXPECT_THAT(std::string(readiness.message()), HasSubstr("postgres: connection refused"));

  database_up = true;
  EXPECT_TRUE(EventuallyHealth(channel, kServing));
  EXPECT_TRUE(EventuallyHealth(channel, kServing, kEchoService));
  EXPECT_TRUE(server.runtime().serving());

  // A failing dependency takes the service out again.
  database_up = false;
  EXPECT_TRUE(EventuallyHealth(channel, kNotServing, kEchoService));
  EXPECT_EQ(HealthCheck(channel, std::string(kLivenessService)), kServing);
  database_up = true;
  EXPECT_TRUE(EventuallyHealth(channel, kServing, kEchoService));

  // Shutdown: NOT_SERVING at once, while calls are still served during the notice delay.
  const absl::Time begun = absl::Now();
  std::thread stopper([&] { server.runtime().Shutdown(std::chrono::seconds(5)); });
  EXPECT_TRUE(EventuallyHealth(channel, kNotServing));
  EXPECT_EQ(HealthCheck(channel, kEchoService), kNotServing);
  EXPECT_LT(absl::Now() - begun, absl::Milliseconds(1500));
  ::grpc::ClientContext ctx;
  server.Prepare(ctx);
  echo::EchoResponse resp;
  EXPECT_TRUE(server.Stub()->Echo(&ctx, echo::EchoRequest(), &resp).ok());
  stopper.join();
  EXPECT_GE(absl::Now() - begun, absl::Milliseconds(1500));
  EXPECT_FALSE(server.runtime().serving());
}

// The server closes connections older than max_connection_age (gracefully), so a client's
// next call runs on a new connection, after resolving its target again.
TEST(RuntimeTest, ConnectionsAreRecycledAfterTheMaximumAge) {
  std::vector<std::string> peers;
  absl::Mutex mu;
  ServerOptions options = TestOptions();
  options.max_connection_age = std::chrono::milliseconds(300);
  options.max_connection_age_grace = std::chrono::milliseconds(1000);
  EchoServer server(
      [&](const CallContext& call, const echo::EchoRequest& req, echo::EchoResponse* resp) {
        absl::MutexLock lock(&mu);
        peers.push_back(call.server_context()->peer());
        return PlainEcho(call, req, resp);
      },
      options);
  auto stub = server.Stub();
  auto call = [&] {
    ::grpc::ClientContext ctx;
    server.Prepare(ctx);
    echo::EchoResponse resp;
    EXPECT_TRUE(stub->Echo(&ctx, echo::EchoRequest(), &resp).ok());
  };
  call();
  call();
  absl::SleepFor(absl::Milliseconds(1500));
  call();
  absl::MutexLock lock(&mu);
  ASSERT_EQ(peers.size(), 3u);
  EXPECT_EQ(peers[0], peers[1]) << "one connection while it is young";
  EXPECT_NE(peers[1], peers[2]) << "an old connection is replaced by a new one (new client port)";

  ServerOptions bad = TestOptions();
  bad.max_connection_age = std::chrono::milliseconds(-1);
  Runtime rt(bad);
  EXPECT_EQ(rt.Start().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RuntimeTest, GracefulShutdownCompletesInFlightCallAndRefusesNewOnes) {
  absl::Notification entered;
  absl::Notification release;
  std::atomic<bool> handler_done{false};
  std::vector<std::string> closed;  // written by close hooks, read after Wait()
  EchoServer server(
      [&](const CallContext& c, const echo::EchoRequest& r, echo::EchoResponse* o) {
        if (r.message() == "slow") {
          entered.Notify();
          release.WaitForNotification();
          handler_done = true;
        }
        return PlainEcho(c, r, o);
      },
      TestOptions(),
      [&](Runtime& rt) {
        rt.AddCloseHook("postgres", [&] {
          EXPECT_TRUE(handler_done.load());
          closed.push_back("postgres");
        });
        rt.AddCloseHook("redis", [&] { closed.push_back("redis"); });
      });
  Runtime& rt = server.runtime();
  const std::string target = server.target();
  auto stub = server.Stub();

  ::grpc::Status slow_status;
  echo::EchoResponse slow_resp;
  std::thread slow([&] {
    ::grpc::ClientContext ctx;
    server.Prepare(ctx, std::chrono::seconds(30));
    echo::EchoRequest req;
    req.set_message("slow");
    slow_status = stub->Echo(&ctx, req, &slow_resp);
  });
  ASSERT_TRUE(entered.WaitForNotificationWithTimeout(absl::Seconds(10)));

  std::atomic<bool> shutdown_returned{false};
  std::thread stopper([&] {
    rt.Shutdown(std::chrono::seconds(20));
    shutdown_returned = true;
  });

  // New calls are refused once the listener closed; the slow call is still running.
  bool refused = false;
  const absl::Time until = absl::Now() + absl::Seconds(10);
  while (!refused && absl::Now() < until) {
    auto fresh = echo::EchoService::NewStub(
        ::grpc::CreateChannel(target, ::grpc::InsecureChannelCredentials()));
    ::grpc::ClientContext ctx;
    server.Prepare(ctx, std::chrono::milliseconds(500));
    echo::EchoResponse resp;
    refused = fresh->Echo(&ctx, echo::EchoRequest(), &resp).error_code() ==
              ::grpc::StatusCode::UNAVAILABLE;
    if (!refused) absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_TRUE(refused);
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_FALSE(shutdown_returned.load());
  EXPECT_FALSE(handler_done.load());
  EXPECT_TRUE(closed.empty());

  release.Notify();
  slow.join();
  EXPECT_TRUE(slow_status.ok()) << slow_status.error_message();
  EXPECT_EQ(slow_resp.message(), "slow");
  rt.Wait();
  stopper.join();
  EXPECT_TRUE(shutdown_returned.load());
  EXPECT_THAT(closed, ElementsAre("redis", "postgres"));  // reverse order of registration
}

TEST(RuntimeTest, AdminServerAnswersReadinessAndMetrics) {
  std::atomic<bool> ready{false};
  ServerOptions options = TestOptions();
  options.admin_port = 0;
  options.admin_bind_address = "127.0.0.1";
  EchoServer server(PlainEcho, options, [&](Runtime& rt) {
    rt.AddReadinessCheck("redis", [&] {
      return ready.load() ? absl::OkStatus() : absl::UnavailableError("no PONG");
    });
  });
  const int port = server.runtime().admin_port();
  ASSERT_GT(port, 0);
  EXPECT_THAT(HttpGet(port, "/readyz"), ::testing::StartsWith("503\n"));
  EXPECT_THAT(HttpGet(port, "/healthz"), ::testing::StartsWith("200\n"));
  ready = true;
  EXPECT_THAT(HttpGet(port, "/readyz"), ::testing::StartsWith("200\n"));

  ::grpc::ClientContext ctx;
  server.Prepare(ctx);
  echo::EchoResponse resp;
  ASSERT_TRUE(server.Stub()->Echo(&ctx, echo::EchoRequest(), &resp).ok());
  const std::string metrics = HttpGet(port, "/metrics");
  EXPECT_THAT(metrics, ::testing::StartsWith("200\n"));
  EXPECT_THAT(metrics, HasSubstr("grpc_server_handled_total"));
  EXPECT_THAT(metrics, HasSubstr(kEchoMethod));
  // Readiness as a metric (alerts on pods that stay unready), following the health status.
  const absl::Time until = absl::Now() + absl::Seconds(5);
  while (absl::Now() < until &&
         HttpGet(port, "/metrics").find("integration_server_serving{service=\"echo\"} 1") ==
             std::string::npos) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_THAT(HttpGet(port, "/metrics"),
              HasSubstr("integration_server_serving{service=\"echo\"} 1"));
  ready = false;
  EXPECT_TRUE(EventuallyHealth(server.Channel(), kNotServing));
  EXPECT_THAT(HttpGet(port, "/metrics"),
              HasSubstr("integration_server_serving{service=\"echo\"} 0"));
}

// Asks the server's reflection service for its services by hand (Debian ships no reflection
// protos): the call's status and the raw listing.
std::pair<::grpc::Status, std::string> ListServicesByReflection(const EchoServer& server) {
  ::grpc::GenericStub stub(server.Channel());
  ::grpc::CompletionQueue cq;
  ::grpc::ClientContext ctx;
  WithDeadline(ctx, std::chrono::seconds(5));
  auto call =
      stub.PrepareCall(&ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  // Each step waits for its own tag; a step that fails (the server ended the call) ends the
  // exchange, and Finish tells why.
  auto step = [&cq](intptr_t want) {
    void* tag = nullptr;
    bool ok = false;
    return cq.Next(&tag, &ok) && ok && reinterpret_cast<intptr_t>(tag) == want;
  };
  std::string listing;
  call->StartCall(reinterpret_cast<void*>(1));
  if (step(1)) {
    // ServerReflectionRequest{list_services (field 7) = ""}
    const std::string request("\x3a\x00", 2);
    ::grpc::Slice slice(request);
    ::grpc::ByteBuffer in(&slice, 1);
    call->Write(in, reinterpret_cast<void*>(2));
    if (step(2)) {
      call->WritesDone(reinterpret_cast<void*>(3));
      if (step(3)) {
        ::grpc::ByteBuffer out;
        call->Read(&out, reinterpret_cast<void*>(4));
        if (step(4)) listing = Flatten(out);
      }
    }
  }
  ::grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  void* tag = nullptr;
  bool ok = false;
  while (cq.Next(&tag, &ok) && reinterpret_cast<intptr_t>(tag) != 5) {
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return {status, listing};
}

TEST(RuntimeTest, ReflectionIsOffUnlessTheSettingTurnsItOn) {
  {
    EchoServer server;
    auto [status, listing] = ListServicesByReflection(server);
    EXPECT_EQ(status.error_code(), ::grpc::StatusCode::UNIMPLEMENTED) << status.error_message();
    EXPECT_EQ(listing, "");
  }
  ServerOptions options = TestOptions();
  options.reflection = true;
  EchoServer server(PlainEcho, options);
  auto [status, listing] = ListServicesByReflection(server);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(listing, HasSubstr(kEchoService));
  EXPECT_THAT(listing, HasSubstr("grpc.health.v1.Health"));
  // The setting is per server: one with reflection does not turn it on for the next.
  EchoServer later;
  EXPECT_EQ(ListServicesByReflection(later).first.error_code(), ::grpc::StatusCode::UNIMPLEMENTED);
}

TEST(RuntimeTest, StartRefusesBrokenConfiguration) {
  {
    Runtime rt(TestOptions());
    EXPECT_EQ(rt.Start().code(), absl::StatusCode::kFailedPrecondition);  // no service
  }
  auto start_with = [](ServerOptions options) {
    Runtime rt(std::move(options));
    EchoServiceImpl service(rt, PlainEcho);
    EXPECT_TRUE(rt.AddService<echo::EchoService>(&service).ok());
    absl::Status st = rt.Start();
    rt.Shutdown(std::chrono::seconds(0));
    return st;
  };
  ServerOptions missing_cert = TestOptions();
  missing_cert.tls.cert_file = "/nonexistent/server.pem";
  missing_cert.tls.key_file = "/nonexistent/server.key";
  absl::Status st = start_with(missing_cert);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(st.message()), HasSubstr("/nonexistent/server.pem"));

  ServerOptions key_only = TestOptions();
  key_only.tls.key_file = "/tmp/key.pem";
  EXPECT_EQ(start_with(key_only).code(), absl::StatusCode::kInvalidArgument);

  ServerOptions bad_deadlines = TestOptions();
  bad_deadlines.max_deadline = std::chrono::seconds(1);
  bad_deadlines.default_deadline = std::chrono::seconds(2);
  EXPECT_EQ(start_with(bad_deadlines).code(), absl::StatusCode::kInvalidArgument);

  // The port is taken by a running server.
  EchoServer first;
  ServerOptions clash = TestOptions();
  clash.listen_address = first.target();
  st = start_with(clash);
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(st.message()), HasSubstr(first.target()));
}

TEST(RuntimeTest, ShutdownIsIdempotentAndWaitReturns) {
  EchoServer server;
  Runtime& rt = server.runtime();
  std::thread a([&] { rt.Shutdown(std::chrono::seconds(1)); });
  std::thread b([&] { rt.Shutdown(std::chrono::seconds(1)); });
  rt.Wait();
  a.join();
  b.join();
  rt.Shutdown(std::chrono::seconds(1));
  EXPECT_FALSE(rt.serving());
}

TEST(RuntimeTest, CloseHooksRunWhenNeverStarted) {
  std::vector<std::string> closed;
  {
    Runtime rt(TestOptions());
    rt.AddCloseHook("a", [&] { closed.push_back("a"); });
    rt.AddCloseHook("b", [&] { closed.push_back("b"); });
    rt.Wait();  // returns at once: never started
  }
  EXPECT_THAT(closed, ElementsAre("b", "a"));
}

}  // namespace
}  // namespace integration::grpc::testing
