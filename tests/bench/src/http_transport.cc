// HTTP/1.1 keep-alive connections on Boost.Asio I/O threads, a shared queue of waiting
// requests, per-request timeouts.
#include "http_transport.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "string_util.h"

namespace integration::bench {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

constexpr size_t kMaxBodyBytes = 64 * 1024 * 1024;
constexpr size_t kMessageChars = 300;

struct Pending {
  std::shared_ptr<const Request> request;
  std::function<void(Outcome)> done;
};

}  // namespace

absl::Status ParseHttpUrl(std::string_view url, std::string* host, int* port) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", Av(url), "\" is not an http:// URL (HTTPS is not supported)"));
  }
  url.remove_prefix(kScheme.size());
  while (url.ends_with("/")) url.remove_suffix(1);
  const size_t colon = url.rfind(':');
  if (colon == std::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(Av(url.substr(colon + 1)), port) || *port < 1 || *port > 65535 ||
      url.find('/') != std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"http://", Av(url), "\" must be http://host:port without a path"));
  }
  *host = std::string(url.substr(0, colon));
  return absl::OkStatus();
}

struct HttpTransport::Impl {
  class Connection;

  HttpOptions options;
  http::verb verb = http::verb::get;
  std::string host_header;
  tcp::resolver::results_type endpoints;

  // Contexts outlive the connections bound to them (members are destroyed in reverse order).
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<std::unique_ptr<Connection>> connections;
  std::vector<std::thread> threads;

  std::mutex mu;
  std::deque<Pending> queue;         // requests waiting for a connection
  std::vector<Connection*> idle;     // connections with nothing to do

  void Released(Connection* connection);
  void Stop();
};

// One keep-alive connection; all its handlers run on its io_context's single thread.
class HttpTransport::Impl::Connection {
 public:
  Connection(Impl& owner, asio::io_context& context)
      : owner_(owner), socket_(context), timer_(context) {}

  // Runs `pending` on the connection's thread.
  void Start(Pending pending) {
    asio::post(socket_.get_executor(),
               [this, p = std::move(pending)]() mutable { Begin(std::move(p)); });
  }

 private:
  void Begin(Pending pending) {
    current_ = std::move(pending);
    const Request& r = *current_.request;
    request_ = {};
    request_.method(owner_.verb);
    request_.target(r.path.empty() ? std::string("/") : r.path);
    request_.version(11);
    request_.set(http::field::host, owner_.host_header);
    request_.set(http::field::user_agent, "integration-bench");
    request_.set(http::field::accept, "application/json");
    if (!r.token.empty()) request_.set(http::field::authorization, absl::StrCat("Bearer ", r.token));
    if (!r.request_id.empty()) request_.set("x-request-id", r.request_id);
    if (!r.body.empty()) {
      request_.set(http::field::content_type, owner_.options.content_type);
      request_.body() = r.body;
    }
    request_.keep_alive(true);
    request_.prepare_payload();

    timed_out_ = false;
    const uint64_t generation = ++generation_;
    timer_.expires_after(owner_.options.call_timeout);
    timer_.async_wait([this, generation](const error_code& ec) {
      if (ec || generation != generation_) return;
      timed_out_ = true;
      error_code ignored;
      socket_.close(ignored);  // the pending connect, write or read fails with "aborted"
    });

    if (socket_.is_open()) {
      Write();
      return;
    }
    asio::async_connect(socket_, owner_.endpoints,
                        [this](const error_code& ec, const tcp::endpoint&) {
                          if (ec) return Fail("CONNECT_ERROR", ec);
                          error_code ignored;
                          socket_.set_option(tcp::no_delay(true), ignored);
                          Write();
                        });
  }

  void Write() {
    http::async_write(socket_, request_, [this](const error_code& ec, size_t) {
      if (ec) return Fail("IO_ERROR", ec);
      Read();
    });
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(kMaxBodyBytes);
    http::async_read(socket_, buffer_, *parser_, [this](const error_code& ec, size_t) {
      if (ec) return Fail("IO_ERROR", ec);
      Complete();
    });
  }

  void Complete() {
    timer_.cancel();
    http::response<http::string_body> response = parser_->release();
    parser_.reset();
    const unsigned status = response.result_int();
    Outcome outcome;
    outcome.ok = status >= 200 && status < 300;
    outcome.code = outcome.ok ? "OK" : absl::StrCat("HTTP ", status);
    if (!outcome.ok) outcome.message = response.body().substr(0, kMessageChars);
    if (!response.keep_alive()) Close();
    Finish(std::move(outcome));
  }

  void Fail(std::string_view code, const error_code& ec) {
    timer_.cancel();
    Close();
    Outcome outcome;
    outcome.code = timed_out_ ? "DEADLINE_EXCEEDED" : std::string(code);
    outcome.message = timed_out_ ? "no answer within the call timeout" : ec.message();
    Finish(std::move(outcome));
  }

  void Close() {
    error_code ignored;
    socket_.close(ignored);
    buffer_.clear();
  }

  void Finish(Outcome outcome) {
    Pending done = std::move(current_);
    current_ = {};
    done.done(std::move(outcome));
    owner_.Released(this);
  }

  Impl& owner_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  std::optional<http::response_parser<http::string_body>> parser_;
  Pending current_;
  uint64_t generation_ = 0;
  bool timed_out_ = false;
};

void HttpTransport::Impl::Released(Connection* connection) {
  std::unique_lock lock(mu);
  if (queue.empty()) {
    idle.push_back(connection);
    return;
  }
  Pending next = std::move(queue.front());
  queue.pop_front();
  lock.unlock();
  connection->Start(std::move(next));
}

void HttpTransport::Impl::Stop() {
  for (auto& guard : guards) guard.reset();
  for (auto& context : contexts) context->stop();
  for (auto& thread : threads) {
    if (thread.joinable()) thread.join();
  }
}

absl::StatusOr<std::unique_ptr<HttpTransport>> HttpTransport::Create(const HttpOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  const std::optional<http::verb> verb = [&]() -> std::optional<http::verb> {
    if (options.method == "GET") return http::verb::get;
    if (options.method == "POST") return http::verb::post;
    if (options.method == "PATCH") return http::verb::patch;
    if (options.method == "PUT") return http::verb::put;
    if (options.method == "DELETE") return http::verb::delete_;
    return std::nullopt;
  }();
  if (!verb) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP method \"", options.method, "\": use GET, POST, PATCH, PUT or DELETE"));
  }
  if (options.connections < 1 || options.threads < 1) {
    return absl::InvalidArgumentError("HTTP needs at least one connection and one thread");
  }
  impl->verb = *verb;
  impl->host_header = absl::StrCat(options.host, ":", options.port);
  {
    asio::io_context resolve_context;
    tcp::resolver resolver(resolve_context);
    error_code ec;
    impl->endpoints = resolver.resolve(options.host, std::to_string(options.port), ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("cannot resolve ", options.host, ": ", ec.message()));
    }
  }
  const int threads = std::min(options.threads, options.connections);
  for (int i = 0; i < threads; ++i) {
    impl->contexts.push_back(std::make_unique<asio::io_context>(1));
    impl->guards.push_back(asio::make_work_guard(*impl->contexts.back()));
  }
  for (int i = 0; i < options.connections; ++i) {
    impl->connections.push_back(
        std::make_unique<Impl::Connection>(*impl, *impl->contexts[i % threads]));
    impl->idle.push_back(impl->connections.back().get());
  }
  for (int i = 0; i < threads; ++i) {
    asio::io_context* context = impl->contexts[i].get();
    impl->threads.emplace_back([context] { context->run(); });
  }
  return std::make_unique<HttpTransport>(std::move(impl));
}

HttpTransport::HttpTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpTransport::~HttpTransport() { impl_->Stop(); }

void HttpTransport::Send(std::shared_ptr<const Request> request,
                         std::function<void(Outcome)> done) {
  Pending pending{std::move(request), std::move(done)};
  std::unique_lock lock(impl_->mu);
  if (impl_->idle.empty()) {
    impl_->queue.push_back(std::move(pending));
    return;
  }
  Impl::Connection* connection = impl_->idle.back();
  impl_->idle.pop_back();
  lock.unlock();
  connection->Start(std::move(pending));
}

}  // namespace integration::bench
