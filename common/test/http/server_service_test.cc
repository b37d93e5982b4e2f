// Service tests of the shared HTTP server over real sockets with small test handlers: answers
// now and later from other threads, one answer per request, refusals and their hook, handler
// exceptions, keep-alive and HTTP/1.0, draining and late answers after a stop, streamed answers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "integration/http/server.h"

namespace integration::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using ::testing::HasSubstr;

using ClientResponse = bhttp::response<bhttp::string_body>;

// A blocking client on one connection.
class Client {
 public:
  explicit Client(int port) : socket_(ioc_) {
    beast::error_code ec;
    socket_.connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)), ec);
    EXPECT_FALSE(ec) << ec.message();
  }
  void WriteRaw(const std::string& bytes) {
    beast::error_code ec;
    asio::write(socket_, asio::buffer(bytes), ec);
    EXPECT_FALSE(ec) << ec.message();
  }
  ClientResponse Get(const std::string& target) {
    WriteRaw("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
    return Read();
  }
  ClientResponse Read() {
    ClientResponse response;
    beast::error_code ec;
    bhttp::read(socket_, buffer_, response, ec);
    EXPECT_FALSE(ec) << ec.message();
    return response;
  }
  bool Closed() {
    char byte;
    beast::error_code ec;
    socket_.read_some(asio::buffer(&byte, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }
  // Whether the server closed the connection within `wait` (false: it is still open).
  bool ClosedWithin(std::chrono::milliseconds wait) {
    pollfd fd{socket_.native_handle(), POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(wait.count())) <= 0) return false;
    return Closed();
  }
  // Writes `bytes` ignoring errors (the server may have closed already).
  void TryWrite(const std::string& bytes) {
    beast::error_code ec;
    asio::write(socket_, asio::buffer(bytes), ec);
  }

 private:
  asio::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

// Answers "<method> <target> <body>" at once, or keeps the Responder for the test to answer
// later (hold), and records refusals; Refuse answers 4xx unless told to close silently.
class TestHandler : public Handler {
 public:
  void Handle(Request request, Responder respond) override {
    if (request.target == "/throw") throw std::runtime_error("handler bug");
    absl::MutexLock lock(&mu_);
    last_ = request;
    if (hold_) {
      held_.push_back(std::move(respond));
      return;
    }
    Response response;
    response.headers = {{"content-type", "text/plain"}, {"x-seen", "1"}, {"x-seen", "2"}};
    response.body = request.method + " " + request.target + " " + request.body;
    respond.Send(response);
    respond.Send(Response{500, {}, "a second answer must be ignored", false});
  }
  std::optional<Response> Refuse(const Refusal& refusal, const Request& partial) override {
    absl::MutexLock lock(&mu_);
    refusals_.push_back({refusal, partial});
    if (close_silently_) return std::nullopt;
    Response response;
    response.status = refusal.kind == Refusal::Kind::kBodyTooLarge          ? 413
                      : refusal.kind == Refusal::Kind::kHeaderTooLarge      ? 431
                      : refusal.kind == Refusal::Kind::kTooManyConnections ? 503
                                                                            : 400;
    response.body = "refused: " + refusal.detail;
    return response;
  }

  void Hold(bool hold) {
    absl::MutexLock lock(&mu_);
    hold_ = hold;
  }
  void CloseSilently() {
    absl::MutexLock lock(&mu_);
    close_silently_ = true;
  }
  std::vector<Responder> TakeHeld() {
    absl::MutexLock lock(&mu_);
    return std::exchange(held_, {});
  }
  std::size_t HeldCount() {
    absl::MutexLock lock(&mu_);
    return held_.size();
  }
  Request last() {
    absl::MutexLock lock(&mu_);
    return last_;
  }
  std::vector<std::pair<Refusal, Request>> refusals() {
    absl::MutexLock lock(&mu_);
    return refusals_;
  }

 private:
  absl::Mutex mu_;
  bool hold_ ABSL_GUARDED_BY(mu_) = false;
  bool close_silently_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<Responder> held_ ABSL_GUARDED_BY(mu_);
  Request last_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<Refusal, Request>> refusals_ ABSL_GUARDED_BY(mu_);
};

Response Text(std::string body) {
  Response response;
  response.body = std::move(body);
  return response;
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  void Start(std::function<void(ServerOptions&)> adjust = nullptr) {
    server_.reset();
    ServerOptions options;
    options.bind = "127.0.0.1";
    options.threads = 2;
    options.max_body_bytes = 1024;
    options.max_header_bytes = 2048;
    options.name = "test_http";
    if (adjust) adjust(options);
    auto started = Server::Start(handler_, std::move(options));
    ASSERT_TRUE(started.ok()) << started.status();
    server_ = *std::move(started);
  }
  void WaitHeld(std::size_t count) {
    for (int i = 0; i < 500 && handler_.HeldCount() < count; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(handler_.HeldCount(), count);
  }

  TestHandler handler_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, HandsOverTheRequestAndSendsTheFirstAnswerOnly) {
  Client client(server_->port());
  client.WriteRaw(
      "POST /echo?x=1 HTTP/1.1\r\nHost: x\r\nX-Custom: Value\r\nContent-Length: 5\r\n\r\nhello");
  ClientResponse response = client.Read();
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response.body(), "POST /echo?x=1 hello");
  EXPECT_EQ(response[bhttp::field::content_type], "text/plain");
  EXPECT_EQ(response["x-seen"], "2") << "a later field replaces an earlier one";
  EXPECT_TRUE(response.keep_alive());
  const Request seen = handler_.last();
  EXPECT_EQ(seen.Header("x-custom"), "Value") << "names compare case-insensitively";
  EXPECT_EQ(seen.Header("absent"), "");
  EXPECT_TRUE(seen.HasHeader("HOST"));
  EXPECT_EQ(seen.peer, "127.0.0.1");
  EXPECT_EQ(seen.version, 11);
  // The ignored second answer did not end up as the answer to the next request.
  EXPECT_EQ(client.Get("/next").body(), "GET /next ");
}

TEST_F(ServerTest, AnswersLaterFromAnotherThreadWithoutBlockingOthers) {
  Start([](ServerOptions& o) { o.threads = 1; });
  handler_.Hold(true);
  Client slow(server_->port());
  slow.WriteRaw("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  WaitHeld(1);
  std::vector<Responder> held = handler_.TakeHeld();
  handler_.Hold(false);
  // The only I/O thread serves another connection meanwhile.
  Client fast(server_->port());
  EXPECT_EQ(fast.Get("/fast").result_int(), 200);
  std::thread answer([&held] { held[0].Send(Text("late")); });
  answer.join();
  EXPECT_EQ(slow.Read().body(), "late");
  // A stale Responder of an answered request does nothing to the next one.
  held[0].Send(Text("stale"));
  EXPECT_EQ(slow.Get("/again").body(), "GET /again ");
}

TEST_F(ServerTest, RefusalsGoThroughTheHookAndCloseTheConnection) {
  {
    Client client(server_->port());
    client.WriteRaw("POST /big HTTP/1.1\r\nHost: x\r\nOrigin: o\r\nContent-Length: 5000\r\n\r\n");
    ClientResponse response = client.Read();
    EXPECT_EQ(response.result_int(), 413);
    EXPECT_FALSE(response.keep_alive());
    EXPECT_TRUE(client.Closed());
  }
  {
    Client client(server_->port());
    std::string request = "POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) request += "200\r\n" + std::string(512, ' ') + "\r\n";
    request += "0\r\n\r\n";
    client.WriteRaw(request);
    EXPECT_EQ(client.Read().result_int(), 413);
  }
  {
    Client client(server_->port());
    client.WriteRaw("GET / HTTP/1.1\r\nHost: x\r\nX-Filler: " + std::string(3000, 'a') +
                    "\r\n\r\n");
    EXPECT_EQ(client.Read().result_int(), 431);
  }
  {
    Client client(server_->port());
    client.WriteRaw("NOT HTTP AT ALL\r\n\r\n");
    ClientResponse response = client.Read();
    EXPECT_EQ(response.result_int(), 400);
    EXPECT_THAT(response.body(), HasSubstr("refused: "));
    EXPECT_GT(response.body().size(), std::string("refused: ").size()) << "the parser's words";
  }
  const auto refusals = handler_.refusals();
  ASSERT_EQ(refusals.size(), 4u);
  EXPECT_EQ(refusals[0].first.kind, Refusal::Kind::kBodyTooLarge);
  EXPECT_EQ(refusals[0].second.method, "POST") << "the header had been read";
  EXPECT_EQ(refusals[0].second.Header("origin"), "o");
  EXPECT_EQ(refusals[1].first.kind, Refusal::Kind::kBodyTooLarge);
  EXPECT_EQ(refusals[2].first.kind, Refusal::Kind::kHeaderTooLarge);
  EXPECT_EQ(refusals[3].first.kind, Refusal::Kind::kMalformed);

  handler_.CloseSilently();
  Client client(server_->port());
  client.WriteRaw("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n");
  EXPECT_TRUE(client.Closed()) << "no answer: closed at once";
}

TEST_F(ServerTest, AThrowingHandlerAnswers500AndTheServerKeepsServing) {
  Client client(server_->port());
  ClientResponse response = client.Get("/throw");
  EXPECT_EQ(response.result_int(), 500);
  EXPECT_FALSE(response.keep_alive());
  Client other(server_->port());
  EXPECT_EQ(other.Get("/ok").result_int(), 200);
}

TEST_F(ServerTest, Http10AndConnectionCloseAreHonoured) {
  Client old(server_->port());
  old.WriteRaw("GET /old HTTP/1.0\r\n\r\n");
  ClientResponse response = old.Read();
  EXPECT_EQ(response.version(), 10u);
  EXPECT_EQ(response.body(), "GET /old ");
  EXPECT_TRUE(old.Closed());

  Client closing(server_->port());
  closing.WriteRaw("GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_FALSE(closing.Read().keep_alive());
  EXPECT_TRUE(closing.Closed());
}

TEST_F(ServerTest, ShutdownDrainsAndLaterAnswersGoNowhere) {
  Client idle(server_->port());
  ASSERT_EQ(idle.Get("/first").result_int(), 200);
  handler_.Hold(true);
  Client busy(server_->port());
  busy.WriteRaw("GET /busy HTTP/1.1\r\nHost: x\r\n\r\n");
  WaitHeld(1);
  std::vector<Responder> held = handler_.TakeHeld();

  std::thread stopper([this] { server_->Shutdown(std::chrono::seconds(30)); });
  EXPECT_TRUE(idle.Closed()) << "a connection between requests is closed at once";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  held[0].Send(Text("drained"));
  ClientResponse response = busy.Read();
  EXPECT_EQ(response.body(), "drained");
  EXPECT_FALSE(response.keep_alive());
  EXPECT_TRUE(busy.Closed());
  stopper.join();

  // After the stop, a Responder that outlived its server is harmless.
  server_.reset();
  held[0].Send(Text("into the void"));
}

// Sends a request's `start` and then one more `line` every 100 ms, as a slowloris client does;
// returns how long the server kept the connection open (at most `give_up`).
std::chrono::milliseconds TrickleUntilClosed(Client& client, const std::string& start,
                                             const std::string& line,
                                             std::chrono::milliseconds give_up) {
  const auto begin = std::chrono::steady_clock::now();
  client.TryWrite(start);
  while (std::chrono::steady_clock::now() - begin < give_up) {
    if (client.ClosedWithin(std::chrono::milliseconds(100))) break;
    client.TryWrite(line);
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               begin);
}

TEST_F(ServerTest, HeadersSentSlowlyAreCutOffAfterTheHeaderTimeout) {
  Start([](ServerOptions& o) {
    o.header_timeout = std::chrono::milliseconds(500);
    o.idle_timeout = std::chrono::seconds(10);
  });
  {
    // Each header line arrives well within any per-read timeout; the whole never does.
    Client slow(server_->port());
    const auto open = TrickleUntilClosed(slow, "GET /slow HTTP/1.1\r\nHost: x\r\n",
                                         "X-Filler: a\r\n", std::chrono::seconds(4));
    EXPECT_LT(open, std::chrono::milliseconds(1500));
  }
  {
    // A connection that never sends anything gets the header timeout, not the idle time.
    Client silent(server_->port());
    EXPECT_TRUE(silent.ClosedWithin(std::chrono::milliseconds(1500)));
  }
  {
    // Between requests a kept-alive connection has the idle time; the next request's headers
    // the header timeout from their first byte.
    Client kept(server_->port());
    EXPECT_EQ(kept.Get("/one").result_int(), 200);
    EXPECT_FALSE(kept.ClosedWithin(std::chrono::milliseconds(1000)));
    EXPECT_EQ(kept.Get("/two").result_int(), 200);
    const auto open = TrickleUntilClosed(kept, "GET /three HTTP/1.1\r\n", "X-Filler: a\r\n",
                                         std::chrono::seconds(4));
    EXPECT_LT(open, std::chrono::milliseconds(1500));
  }
  EXPECT_TRUE(handler_.refusals().empty()) << "cut off, not answered";
}

TEST_F(ServerTest, BodiesSentSlowlyAreCutOffAfterTheBodyTimeout) {
  Start([](ServerOptions& o) {
    o.header_timeout = std::chrono::seconds(10);
    o.body_timeout = std::chrono::milliseconds(500);
  });
  Client slow(server_->port());
  const auto open = TrickleUntilClosed(
      slow, "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n", "a",
      std::chrono::seconds(4));
  EXPECT_LT(open, std::chrono::milliseconds(1500));
}

TEST_F(ServerTest, ConnectionsBeyondTheCapAreAnsweredAndClosed) {
  Start([](ServerOptions& o) { o.max_connections = 2; });
  auto first = std::make_unique<Client>(server_->port());
  Client second(server_->port());
  ASSERT_EQ(first->Get("/a").result_int(), 200);
  ASSERT_EQ(second.Get("/b").result_int(), 200);

  Client third(server_->port());
  third.TryWrite("GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
  ClientResponse refused = third.Read();
  EXPECT_EQ(refused.result_int(), 503);
  EXPECT_FALSE(refused.keep_alive());
  EXPECT_TRUE(third.Closed());
  const auto refusals = handler_.refusals();
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0].first.kind, Refusal::Kind::kTooManyConnections);
  EXPECT_TRUE(refusals[0].second.method.empty()) << "nothing was read";
  EXPECT_EQ(handler_.last().target, "/b") << "the request over the cap never reached Handle";

  // The two admitted connections go on; once one closes, a new one is served.
  EXPECT_EQ(second.Get("/b2").result_int(), 200);
  first.reset();
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    Client next(server_->port());
    next.TryWrite("GET /d HTTP/1.1\r\nHost: x\r\n\r\n");
    status = next.Read().result_int();
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, 200);
}

TEST(ServerStartTest, RefusesBadOptionsAndTakenPorts) {
  TestHandler handler;
  ServerOptions options;
  options.bind = "not-an-address";
  EXPECT_EQ(Server::Start(handler, options).status().code(), absl::StatusCode::kInvalidArgument);
  options.bind = "127.0.0.1";
  options.threads = 0;
  EXPECT_EQ(Server::Start(handler, options).status().code(), absl::StatusCode::kInvalidArgument);
  options.threads = 1;
  options.max_header_bytes = 10;
  EXPECT_EQ(Server::Start(handler, options).status().code(), absl::StatusCode::kInvalidArgument);
  options.max_header_bytes = 4096;
  options.max_connections = -1;
  EXPECT_EQ(Server::Start(handler, options).status().code(), absl::StatusCode::kInvalidArgument);
  options.max_connections = 0;
  options.header_timeout = std::chrono::milliseconds(0);
  EXPECT_EQ(Server::Start(handler, options).status().code(), absl::StatusCode::kInvalidArgument);
  options.header_timeout = std::chrono::seconds(10);
  options.tls.cert_file = "/nonexistent/cert.pem";
  options.tls.key_file = "/nonexistent/key.pem";
  auto tls = Server::Start(handler, options);
  EXPECT_EQ(tls.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(tls.status().message()), HasSubstr("/nonexistent/cert.pem"));
  options.tls = {};
  auto first = Server::Start(handler, options);
  ASSERT_TRUE(first.ok()) << first.status();
  options.port = (*first)->port();
  auto second = Server::Start(handler, options);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(second.status().message()), HasSubstr(std::to_string(options.port)));
}

// A streamed answer (Server-Sent Events): the head, then the parts in order as chunks, the end
// closes the connection; the handler hears when it may write more and when the stream closed.
TEST_F(ServerTest, StreamsPartsInOrderAndClosesAtTheEnd) {
  handler_.Hold(true);
  Client client(server_->port());
  client.WriteRaw("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  WaitHeld(1);
  std::atomic<int> drained{0};
  std::atomic<bool> closed{false};
  Response head;
  head.headers = {{"content-type", "text/event-stream"}};
  StreamWriter writer = handler_.TakeHeld()[0].Stream(
      head, StreamCallbacks{.on_drained = [&] { drained++; }, .on_closed = [&] { closed = true; }});
  EXPECT_TRUE(writer.Write("data: one\n\n"));
  EXPECT_TRUE(writer.Write("data: two\n\n"));
  for (int i = 0; i < 500 && drained.load() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GE(drained.load(), 1) << "told when what was written has gone out";
  EXPECT_TRUE(writer.Write("data: three\n\n"));
  writer.End();
  EXPECT_FALSE(writer.Write("data: late\n\n")) << "nothing after the end";
  ClientResponse response = client.Read();
  EXPECT_EQ(response.result_int(), 200);
  EXPECT_EQ(response[bhttp::field::content_type], "text/event-stream");
  EXPECT_TRUE(response.chunked());
  EXPECT_EQ(response.body(), "data: one\n\ndata: two\n\ndata: three\n\n");
  EXPECT_TRUE(client.Closed());
  for (int i = 0; i < 500 && !closed.load(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(closed.load());
}

TEST_F(ServerTest, StoppingTheServerClosesAnOpenStreamAndTellsItsHandler) {
  handler_.Hold(true);
  Client client(server_->port());
  client.WriteRaw("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  WaitHeld(1);
  std::atomic<bool> closed{false};
  StreamWriter writer = handler_.TakeHeld()[0].Stream(
      Response{}, StreamCallbacks{.on_drained = {}, .on_closed = [&] { closed = true; }});
  EXPECT_TRUE(writer.Write("data: one\n\n"));
  server_->Shutdown(std::chrono::milliseconds(100));
  EXPECT_TRUE(closed.load()) << "told by the time Shutdown returned";
  EXPECT_FALSE(writer.Write("data: two\n\n"));
}

}  // namespace
}  // namespace integration::http
