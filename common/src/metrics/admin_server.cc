// The admin HTTP server: Boost.Beast over one Asio thread, kept out of the public header.
#include "integration/metrics/admin_server.h"

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "integration/log/log.h"
#include "integration/text/utf8.h"

namespace integration::metrics {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// An idle keep-alive connection is closed after this long (Prometheus scrapes every 15-60 s
// and reconnects cheaply).
constexpr std::chrono::seconds kIdleTimeout(75);
constexpr std::chrono::seconds kWriteTimeout(30);
// Admin requests carry no body worth reading; anything large is not ours.
constexpr uint64_t kBodyLimit = 64 * 1024;
constexpr uint32_t kHeaderLimit = 16 * 1024;

std::string_view Sv(beast::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace

namespace {

// What the connections need to answer: alive as long as the AdminServer.
struct Handler {
  std::shared_ptr<Metrics> metrics;
  std::vector<ReadinessCheck> checks;
  std::vector<ReadinessReport> reports;
  std::atomic<bool> shutting_down{false};
  // -1 unknown, 0 not ready, 1 ready: readiness changes are logged, steady state is not.
  std::atomic<int> last_ready{-1};

  Response Handle(const Request& request);
  Response Readiness(const Request& request);
};

Response MakeResponse(const Request& request, http::status status, std::string_view content_type,
                      std::string body) {
  Response response(status, request.version());
  response.set(http::field::server, "integration-admin");
  response.set(http::field::content_type,
               beast::string_view(content_type.data(), content_type.size()));
  response.set(http::field::cache_control, "no-store");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

// One client connection: read a request, answer it, repeat while the client keeps it alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Handler* server) : stream_(std::move(socket)), server_(server) {}

  void Start() { Read(); }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(kIdleTimeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec) {
      // end_of_stream is the client closing a keep-alive connection; timeouts and malformed
      // requests also just end the connection.
      Close();
      return;
    }
    Request request = parser_->release();
    response_ = server_->Handle(request);
    stream_.expires_after(kWriteTimeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
                        self->OnWrite(write_ec);
                      });
  }

  void OnWrite(beast::error_code ec) {
    if (ec || !response_.keep_alive()) {
      Close();
      return;
    }
    Read();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Response response_;
  Handler* server_;
};

}  // namespace

struct AdminServer::Impl {
  Handler handler;
  std::atomic<uint16_t> port{0};

  absl::Mutex mu;  // serializes Start and Stop
  std::unique_ptr<asio::io_context> ioc ABSL_GUARDED_BY(mu);
  std::unique_ptr<tcp::acceptor> acceptor ABSL_GUARDED_BY(mu);
  std::unique_ptr<asio::steady_timer> retry_timer ABSL_GUARDED_BY(mu);
  std::thread thread ABSL_GUARDED_BY(mu);

  void Accept(tcp::acceptor& acceptor, asio::steady_timer& retry_timer);
  void StopLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
};

Response Handler::Handle(const Request& request) {
  std::string_view target = Sv(request.target());
  target = target.substr(0, target.find('?'));
  bool known = target == "/metrics" || target == "/healthz" || target == "/readyz";
  if (!known) {
    return MakeResponse(request, http::status::not_found, "text/plain; charset=utf-8",
                        "not found\n");
  }
  if (request.method() != http::verb::get) {
    Response response = MakeResponse(request, http::status::method_not_allowed,
                                     "text/plain; charset=utf-8", "method not allowed\n");
    response.set(http::field::allow, "GET");
    return response;
  }
  try {
    if (target == "/healthz") {
      return MakeResponse(request, http::status::ok, "text/plain; charset=utf-8", "ok");
    }
    if (target == "/readyz") return Readiness(request);
    return MakeResponse(request, http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                        metrics->Serialize());
  } catch (const std::exception& e) {
    // A scrape hook or a check threw: answer, log, and keep serving.
    log::Error("admin_request_failed", {{"path", target}, {"error", e.what()}});
  } catch (...) {
    log::Error("admin_request_failed", {{"path", target}, {"error", "unknown exception"}});
  }
  return MakeResponse(request, http::status::internal_server_error, "text/plain; charset=utf-8",
                      "internal error\n");
}

namespace {

// One entry of the /readyz "checks" array.
nlohmann::ordered_json Check(std::string_view name, bool gating, const CheckResult& result) {
  // Texts can hold DSNs or hosts' credentials; the redacted text is enough to act on. Invalid
  // UTF-8 is replaced byte by byte, as in log lines.
  const std::string message = text::ToValidUtf8(log::Redact(result.message));
  nlohmann::ordered_json check = nlohmann::ordered_json::object();
  check["name"] = text::ToValidUtf8(name);
  check["ok"] = result.ok;
  check["gating"] = gating;
  check["message"] = message;
  if (!result.ok) check["error"] = message;
  return check;
}

// Runs `fn`, turning an exception into a failed result: a broken check must not take the admin
// thread down, and must show as failing.
template <class Fn>
CheckResult RunGuarded(Fn&& fn) {
  try {
    return fn();
  } catch (const std::exception& e) {
    return CheckResult{false,
                       absl::InternalError(std::string("check threw: ") + e.what()).ToString()};
  } catch (...) {
    return CheckResult{false, absl::InternalError("check threw an unknown exception").ToString()};
  }
}

}  // namespace

Response Handler::Readiness(const Request& request) {
  bool ready = !shutting_down.load();
  nlohmann::ordered_json checks_json = nlohmann::ordered_json::array();
  std::string failing;
  for (const ReadinessCheck& c : checks) {
    const CheckResult result = RunGuarded([&c] {
      const absl::Status status =
          c.check ? c.check() : absl::FailedPreconditionError("no check function");
      return status.ok() ? CheckResult{true, ""} : CheckResult{false, status.ToString()};
    });
    checks_json.push_back(Check(c.name, /*gating=*/true, result));
    if (result.ok) continue;
    ready = false;
    if (!failing.empty()) failing.append(",");
    failing.append(c.name);
  }
  // Reports never change `ready`: they are detail for the operator, not readiness.
  for (const ReadinessReport& r : reports) {
    const CheckResult result = RunGuarded([&r] {
      return r.report ? r.report() : CheckResult{false, "no report function"};
    });
    checks_json.push_back(Check(r.name, /*gating=*/false, result));
  }
  nlohmann::ordered_json body = nlohmann::ordered_json::object();
  body["status"] = ready ? "ready" : "not_ready";
  if (shutting_down.load()) body["shutting_down"] = true;
  body["checks"] = std::move(checks_json);

  if (last_ready.exchange(ready ? 1 : 0) != (ready ? 1 : 0)) {
    log::Write(ready ? log::Level::kInfo : log::Level::kWarning, "readiness_changed",
               {{"ready", ready}, {"failing", failing}, {"shutting_down", shutting_down.load()}});
  }
  return MakeResponse(request, ready ? http::status::ok : http::status::service_unavailable,
                      "application/json", body.dump());
}

void AdminServer::Impl::Accept(tcp::acceptor& acceptor, asio::steady_timer& retry_timer) {
  acceptor.async_accept([this, &acceptor, &retry_timer](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      // e.g. EMFILE: wait a little instead of spinning, then accept again.
      log::Warn("admin_accept_failed", {{"error", ec.message()}});
      retry_timer.expires_after(std::chrono::milliseconds(100));
      retry_timer.async_wait([this, &acceptor, &retry_timer](beast::error_code timer_ec) {
        if (!timer_ec) Accept(acceptor, retry_timer);
      });
      return;
    }
    std::make_shared<Session>(std::move(socket), &handler)->Start();
    Accept(acceptor, retry_timer);
  });
}

void AdminServer::Impl::StopLocked() {
  if (ioc == nullptr) return;
  ioc->stop();
  if (thread.joinable()) thread.join();
  // The thread is gone: closing here races with nothing. Destroying the io_context then
  // destroys the pending handlers and with them every open connection.
  beast::error_code ignored;
  if (acceptor != nullptr) acceptor->close(ignored);
  retry_timer.reset();
  acceptor.reset();
  ioc.reset();
  port.store(0);
}

AdminServer::AdminServer(std::shared_ptr<Metrics> metrics, std::vector<ReadinessCheck> checks,
                         std::vector<ReadinessReport> reports)
    : impl_(std::make_unique<Impl>()) {
  impl_->handler.metrics = metrics != nullptr ? std::move(metrics) : std::make_shared<Metrics>();
  impl_->handler.checks = std::move(checks);
  impl_->handler.reports = std::move(reports);
}

AdminServer::~AdminServer() { Stop(); }

absl::Status AdminServer::Start(uint16_t port, std::string_view bind_address) {
  absl::MutexLock lock(&impl_->mu);
  if (impl_->ioc != nullptr) return absl::FailedPreconditionError("admin server already started");
  std::string where = std::string(bind_address) + ":" + std::to_string(port);
  try {
    beast::error_code ec;
    asio::ip::address address = asio::ip::make_address(std::string(bind_address), ec);
    if (ec) {
      return absl::InvalidArgumentError("admin server: invalid bind address \"" +
                                        std::string(bind_address) + "\"");
    }
    auto ioc = std::make_unique<asio::io_context>(1);
    auto acceptor = std::make_unique<tcp::acceptor>(*ioc);
    tcp::endpoint endpoint(address, port);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return absl::UnavailableError("admin server: cannot listen on " + where + ": " +
                                    ec.message());
    }
    uint16_t bound = acceptor->local_endpoint(ec).port();
    if (ec) return absl::UnavailableError("admin server: " + ec.message());

    auto retry_timer = std::make_unique<asio::steady_timer>(*ioc);
    impl_->Accept(*acceptor, *retry_timer);
    asio::io_context* raw_ioc = ioc.get();
    impl_->thread = std::thread([raw_ioc] {
      // Keeps run() going while no accept is pending (e.g. between retries).
      auto work = asio::make_work_guard(*raw_ioc);
      for (;;) {
        try {
          raw_ioc->run();
          return;
        } catch (const std::exception& e) {
          log::Error("admin_server_handler_failed", {{"error", e.what()}});
        }
      }
    });
    impl_->ioc = std::move(ioc);
    impl_->acceptor = std::move(acceptor);
    impl_->retry_timer = std::move(retry_timer);
    impl_->port.store(bound);
    log::Info("admin_server_started",
              {{"address", std::string(bind_address)}, {"port", static_cast<int>(bound)}});
    return absl::OkStatus();
  } catch (const std::exception& e) {
    return absl::InternalError("admin server: cannot start on " + where + ": " + e.what());
  }
}

void AdminServer::Stop() {
  absl::MutexLock lock(&impl_->mu);
  impl_->StopLocked();
}

uint16_t AdminServer::port() const { return impl_->port.load(); }

void AdminServer::SetShuttingDown() { impl_->handler.shutting_down.store(true); }

}  // namespace integration::metrics
