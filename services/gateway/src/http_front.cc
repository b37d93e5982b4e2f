// The HTTP/JSON front: Boost.Beast HTTP/1.1 sessions on a small io_context pool that route by
// the http rules, transcode, and resume on their strand when the asynchronous Dispatcher is done.
#include "http_front.h"

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <filesystem>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "http_routes.h"
#include "integration/grpc/call_context.h"
#include "integration/log/log.h"
#include "integration/metrics/metrics.h"
#include "integration/status/status.h"
#include "openapi.h"
#include "transcoder.h"

namespace integration::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

constexpr char kAllowedMethods[] = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
constexpr char kAllowedHeaders[] =
    "authorization, content-type, x-request-id, traceparent, x-timeout-ms";
constexpr char kExposedHeaders[] = "x-request-id, retry-after, x-cache";
// After an error that leaves request bytes unread (413, 431), the connection is half-closed
// and the rest read and dropped for at most this long, so the client sees the response
// instead of a reset.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 16 * 1024 * 1024;

std::string Str(beast::string_view s) { return std::string(s.data(), s.size()); }
absl::string_view Absl(beast::string_view s) { return absl::string_view(s.data(), s.size()); }

// The trace id of a W3C traceparent ("00-<32 hex>-<16 hex>-<2 hex>"), for log lines.
std::string TraceIdOf(absl::string_view traceparent) {
  if (traceparent.size() >= 35 && traceparent[2] == '-')
    return std::string(traceparent.substr(3, 32));
  return "";
}

absl::Status HttpError(absl::StatusCode code, std::string_view reason, std::string_view message,
                       status::Metadata metadata = {}) {
  return status::Error(code, reason, message, std::move(metadata));
}

bool IsJsonContentType(absl::string_view content_type) {
  absl::string_view media = content_type.substr(0, content_type.find(';'));
  media = absl::StripAsciiWhitespace(media);
  const std::string lower = absl::AsciiStrToLower(media);
  return lower == "application/json" ||
         (absl::StartsWith(lower, "application/") && absl::EndsWith(lower, "+json"));
}

absl::StatusOr<std::shared_ptr<asio::ssl::context>> MakeSslContext(const HttpTls& tls) {
  if (tls.key_file.empty()) {
    return absl::InvalidArgumentError("HTTP TLS: a certificate file needs a key file");
  }
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  boost::system::error_code ec;
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                           asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                           asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                       ec);
  if (!ec) context->use_certificate_chain_file(tls.cert_file, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP TLS certificate file ", tls.cert_file, ": ", ec.message()));
  }
  context->use_private_key_file(tls.key_file, asio::ssl::context::pem, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP TLS key file ", tls.key_file, ": ", ec.message()));
  }
  if (!tls.client_ca_file.empty()) {
    context->load_verify_file(tls.client_ca_file, ec);
    if (!ec) {
      context->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert, ec);
    }
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("HTTP TLS client CA file ", tls.client_ca_file, ": ", ec.message()));
    }
  }
  return context;
}

// Modification times of the TLS files, to notice a renewed certificate.
std::vector<std::filesystem::file_time_type> TlsFileTimes(const HttpTls& tls) {
  std::vector<std::filesystem::file_time_type> times;
  for (const std::string* file : {&tls.cert_file, &tls.key_file, &tls.client_ca_file}) {
    std::error_code ec;
    times.push_back(file->empty() ? std::filesystem::file_time_type{}
                                  : std::filesystem::last_write_time(*file, ec));
  }
  return times;
}

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Closes the connection from the session's strand; a pending backend call completes into
  // the void.
  virtual void Close() = 0;
  // Lets the request in progress finish (answered with "Connection: close"), then closes;
  // closes at once when the connection is waiting for a request.
  virtual void Drain() = 0;
};

}  // namespace

// Shared by the HttpFront and every session: a session (and a callback the Dispatcher still
// holds) keeps it alive, so a late `done` never touches freed memory.
struct HttpFront::Impl {
  Impl(Dispatcher& dispatcher_in, HttpFrontOptions options_in, RouteTable routes_in,
       std::string openapi_in)
      : options(std::move(options_in)),
        dispatcher(dispatcher_in),
        routes(std::move(routes_in)),
        openapi(std::move(openapi_in)),
        work(asio::make_work_guard(ioc)),
        acceptor(asio::make_strand(ioc)),
        tls_timer(acceptor.get_executor()) {}

  const HttpFrontOptions options;
  Dispatcher& dispatcher;
  const RouteTable routes;
  const std::string openapi;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor;
  asio::steady_timer tls_timer;                            // on the acceptor's strand
  std::vector<std::filesystem::file_time_type> tls_times;  // acceptor strand only
  std::vector<std::thread> threads;
  int port = 0;
  std::atomic<bool> stopped{false};

  absl::Mutex mu;
  bool stopping ABSL_GUARDED_BY(mu) = false;
  bool draining ABSL_GUARDED_BY(mu) = false;
  int open_connections ABSL_GUARDED_BY(mu) = 0;
  std::map<const SessionBase*, std::weak_ptr<SessionBase>> sessions ABSL_GUARDED_BY(mu);
  std::shared_ptr<asio::ssl::context> ssl ABSL_GUARDED_BY(mu);

  // Posts `fn` to `executor` unless the front is stopping (then the I/O threads may be gone).
  template <class Executor, class Fn>
  void PostUnlessStopping(const Executor& executor, Fn&& fn) {
    absl::MutexLock lock(&mu);
    if (stopping) return;
    asio::post(executor, std::forward<Fn>(fn));
  }

  bool Register(const std::shared_ptr<SessionBase>& session) {
    absl::MutexLock lock(&mu);
    if (stopping || draining) return false;
    sessions[session.get()] = session;
    ++open_connections;
    return true;
  }
  void ConnectionClosed() {
    absl::MutexLock lock(&mu);
    --open_connections;
  }
  void Unregister(const SessionBase* session) {
    absl::MutexLock lock(&mu);
    sessions.erase(session);
  }
  std::shared_ptr<asio::ssl::context> CurrentSsl() {
    absl::MutexLock lock(&mu);
    return ssl;
  }

  void Record(std::string_view route, int status, absl::Duration latency) {
    if (options.metrics == nullptr) return;
    const std::string code = absl::StrCat(status);
    auto counter = options.metrics->Counter("gateway_http_requests_total",
                                            "HTTP requests by route template and status code",
                                            {{"route", std::string(route)}, {"code", code}});
    if (counter.ok()) (*counter)->Increment();
    auto histogram = options.metrics->Histogram(
        "gateway_http_request_seconds", "HTTP request latency by route template",
        metrics::Metrics::RpcLatencyBuckets(), {{"route", std::string(route)}});
    if (histogram.ok()) (*histogram)->Observe(absl::ToDoubleSeconds(latency));
  }

  void Accept(const std::shared_ptr<Impl>& self);
  void ScheduleTlsReload(const std::shared_ptr<Impl>& self);
};

namespace {

using Core = HttpFront::Impl;

// One client connection: reads requests one after the other, answers each before reading the
// next (HTTP/1.1 without pipelining in parallel), closes on errors that leave the stream in an
// unknown state.
template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Session(std::shared_ptr<Core> core, tcp::socket socket, std::shared_ptr<asio::ssl::context> ssl)
      : core_(std::move(core)), ssl_(std::move(ssl)), stream_(MakeStream(std::move(socket))) {
    boost::system::error_code ec;
    const tcp::endpoint peer = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) peer_ = peer.address().to_string();
  }

  ~Session() override {
    if (counted_ && !closed_) core_->ConnectionClosed();
    core_->Unregister(this);
  }

  // Called once Register counted this connection as open.
  void Counted() { counted_ = true; }

  void Run() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->Begin(); });
  }

  void Drain() override {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      self->draining_ = true;
      if (self->idle_) self->CloseNow();
    });
  }

  void Close() override {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->CloseNow(); });
  }

 private:
  struct Pending {  // the request being answered
    std::string method;
    std::string route = "unmatched";
    std::string origin;
    std::string request_id;
    std::string trace_id;
    absl::Time start;
  };

  Stream MakeStream(tcp::socket socket) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *ssl_);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void Begin() {
    if constexpr (kTls) {
      lowest().expires_after(core_->options.read_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->CloseNow();
                                self->ReadHeader();
                              });
    } else {
      ReadHeader();
    }
  }

  void ReadHeader() {
    if (closed_) return;
    if (draining_) return CloseNow();
    idle_ = true;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(core_->options.max_header_bytes));
    parser_->body_limit(core_->options.max_body_bytes);
    lowest().expires_after(core_->options.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->OnHeader(ec);
                            });
  }

  void OnHeader(beast::error_code ec) {
    idle_ = false;
    if (closed_) return;
    pending_ = Pending{};
    pending_.start = absl::Now();
    // A Content-Length over the limit fails the header read already.
    if (ec == http::error::body_limit) return SendTooLarge();
    if (ec == http::error::header_limit) {
      return SendError(431,
                       HttpError(absl::StatusCode::kInvalidArgument, "HEADERS_TOO_LARGE",
                                 absl::StrCat("request headers exceed ",
                                              core_->options.max_header_bytes, " bytes")),
                       /*close=*/true);
    }
    if (ec) {
      // The client went away, idled out, or sent something that is not HTTP.
      if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
          ec == asio::error::operation_aborted || ec == asio::error::eof ||
          ec == asio::error::connection_reset || buffer_.size() == 0) {
        return CloseNow();
      }
      return SendError(400,
                       HttpError(absl::StatusCode::kInvalidArgument, "MALFORMED_HTTP",
                                 absl::StrCat("malformed HTTP request: ", ec.message())),
                       /*close=*/true);
    }
    const auto& request = parser_->get();
    pending_.method = Str(request.method_string());
    pending_.origin = Str(request[http::field::origin]);
    const auto length = parser_->content_length();
    if (length && *length > core_->options.max_body_bytes) {
      return SendTooLarge();
    }
    lowest().expires_after(core_->options.read_timeout);
    if (beast::iequals(request[http::field::expect], "100-continue")) {
      continue_ = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     request.version());
      http::async_write(stream_, *continue_,
                        [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                          if (ec) return self->CloseNow();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (closed_) return;
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->OnBody(ec); });
  }

  void OnBody(beast::error_code ec) {
    if (closed_) return;
    if (ec == http::error::body_limit) return SendTooLarge();
    if (ec) {
      if (ec == beast::error::timeout || ec == http::error::end_of_stream ||
          ec == asio::error::eof || ec == asio::error::operation_aborted ||
          ec == asio::error::connection_reset || ec == http::error::partial_message) {
        return CloseNow();
      }
      return SendError(400,
                       HttpError(absl::StatusCode::kInvalidArgument, "MALFORMED_HTTP",
                                 absl::StrCat("malformed HTTP request: ", ec.message())),
                       /*close=*/true);
    }
    lowest().expires_never();  // the Dispatcher owns the deadline from here
    Handle(parser_->release());
  }

  void SendTooLarge() {
    SendError(
        413,
        HttpError(absl::StatusCode::kResourceExhausted, "REQUEST_TOO_LARGE",
                  absl::StrCat("request body exceeds ", core_->options.max_body_bytes, " bytes"),
                  {{"max_bytes", absl::StrCat(core_->options.max_body_bytes)}}),
        /*close=*/true);
  }

  bool OriginAllowed() const {
    if (pending_.origin.empty()) return false;
    for (const std::string& allowed : core_->options.cors_origins) {
      if (allowed == pending_.origin) return true;
    }
    return false;
  }

  void Handle(Request request) {
    keep_alive_ = request.keep_alive();
    const std::string client_id = Str(request["x-request-id"]);
    pending_.request_id = grpc::IsValidRequestId(client_id) ? client_id : "";
    const std::string traceparent = Str(request["traceparent"]);
    pending_.trace_id = TraceIdOf(traceparent);

    const absl::string_view target = Absl(request.target());
    if (target.empty() || target.front() != '/') {
      return SendError(400, HttpError(absl::StatusCode::kInvalidArgument, "MALFORMED_HTTP",
                                      "the request target must be a path"));
    }
    const std::size_t question = target.find('?');
    const absl::string_view path = target.substr(0, question);
    const absl::string_view query =
        question == absl::string_view::npos ? absl::string_view() : target.substr(question + 1);

    if (request.method() == http::verb::options) {
      return HandleOptions(request, path);
    }
    if (request.method() == http::verb::get && path == "/openapi.json") {
      pending_.route = "/openapi.json";
      HttpResponse response;
      response.body = core_->openapi;
      return Send(std::move(response), {{"cache-control", "public, max-age=300"}});
    }
    if (request.method() == http::verb::get && path == "/healthz") {
      pending_.route = "/healthz";
      HttpResponse response;
      response.body = R"({"status":"SERVING"})";
      return Send(std::move(response));
    }

    const RouteMatch match = core_->routes.Match(pending_.method, ToStd(path));
    if (match.route == nullptr) {
      if (!match.allowed_methods.empty()) {
        const std::string allow = absl::StrJoin(match.allowed_methods, ", ");
        return SendError(
            405,
            HttpError(absl::StatusCode::kUnimplemented, "METHOD_NOT_ALLOWED",
                      absl::StrCat(pending_.method, " is not allowed here; use ", allow)),
            /*close=*/false, {{"allow", allow}});
      }
      return SendError(404,
                       HttpError(absl::StatusCode::kNotFound, "ROUTE_NOT_FOUND",
                                 absl::StrCat("no API method at ", pending_.method, " ", path)));
    }
    const Route& route = *match.route;
    pending_.route = route.path.text();

    if (route.has_body() && !request.body().empty()) {
      const absl::string_view content_type = Absl(request[http::field::content_type]);
      if (!content_type.empty() && !IsJsonContentType(content_type)) {
        return SendError(
            415, HttpError(absl::StatusCode::kInvalidArgument, "UNSUPPORTED_MEDIA_TYPE",
                           absl::StrCat("the body must be application/json, not ", content_type)));
      }
    }

    BackendCall call;
    call.method = route.method;
    if (const absl::string_view timeout = Absl(request["x-timeout-ms"]); !timeout.empty()) {
      int64_t ms = 0;
      if (!absl::SimpleAtoi(timeout, &ms) || ms <= 0) {
        return SendError(
            400, status::InvalidField("x-timeout-ms", "must be a positive number of milliseconds",
                                      "INVALID_TIMEOUT"));
      }
      ms = std::min<int64_t>(ms, core_->options.max_timeout.count());
      call.deadline = absl::Now() + absl::Milliseconds(ms);
    }
    auto serialized = TranscodeRequest(route, match.raw_values, ToStd(query), request.body());
    if (!serialized.ok()) return SendError(400, serialized.status());

    call.request = *std::move(serialized);
    call.authorization = Str(request[http::field::authorization]);
    call.request_id = pending_.request_id;
    call.traceparent = traceparent;
    call.client_address = peer_;
    // `done` may run on any thread, even inside Dispatch: resume on this session's strand.
    core_->dispatcher.Dispatch(
        std::move(call), [self = this->shared_from_this(), &route](BackendResult result) {
          self->core_->PostUnlessStopping(self->stream_.get_executor(),
                                          [self, &route, result = std::move(result)]() mutable {
                                            self->OnBackendResult(route, std::move(result));
                                          });
        });
  }

  void OnBackendResult(const Route& route, BackendResult result) {
    if (closed_) return;
    if (!result.request_id.empty()) pending_.request_id = result.request_id;
    HttpResponse response = result.status.ok() ? TranscodeResponse(route, result.response)
                                               : ErrorResponse(result.status);
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& [name, value] : result.headers) {
      headers.emplace_back(absl::AsciiStrToLower(name), value);
    }
    Send(std::move(response), std::move(headers));
  }

  void HandleOptions(const Request& request, absl::string_view path) {
    pending_.route = "OPTIONS";
    const bool preflight =
        !pending_.origin.empty() &&
        request.find(http::field::access_control_request_method) != request.end();
    if (preflight) {
      if (!OriginAllowed()) {
        return SendError(
            403, HttpError(absl::StatusCode::kPermissionDenied, "CORS_ORIGIN_NOT_ALLOWED",
                           absl::StrCat("origin ", pending_.origin, " may not call this API")));
      }
      HttpResponse response;
      response.status = 204;
      response.content_type.clear();
      return Send(std::move(response),
                  {{"access-control-allow-methods", std::string(kAllowedMethods)},
                   {"access-control-allow-headers", std::string(kAllowedHeaders)},
                   {"access-control-max-age", absl::StrCat(core_->options.cors_max_age.count())}});
    }
    const RouteMatch match = core_->routes.Match("OPTIONS", ToStd(path));
    if (match.allowed_methods.empty()) {
      return SendError(404, HttpError(absl::StatusCode::kNotFound, "ROUTE_NOT_FOUND",
                                      absl::StrCat("no API method at ", path)));
    }
    HttpResponse response;
    response.status = 204;
    response.content_type.clear();
    Send(std::move(response),
         {{"allow", absl::StrCat(absl::StrJoin(match.allowed_methods, ", "), ", OPTIONS")}});
  }

  void SendError(int http_status, const absl::Status& status, bool close = false,
                 std::vector<std::pair<std::string, std::string>> headers = {}) {
    Send(ErrorResponse(http_status, status), std::move(headers), close);
  }

  void Send(HttpResponse response, std::vector<std::pair<std::string, std::string>> headers = {},
            bool close = false) {
    if (closed_) return;
    if (pending_.request_id.empty()) pending_.request_id = grpc::NewRequestId();
    response_ = std::make_shared<Response>();
    Response& res = *response_;
    res.version(11);
    res.result(static_cast<unsigned>(response.status));
    if (!response.content_type.empty()) res.set(http::field::content_type, response.content_type);
    res.set("x-request-id", pending_.request_id);
    res.set("x-content-type-options", "nosniff");
    if (response.status != 204 && pending_.route != "/openapi.json") {
      // Answers may hold personal data; nothing in between may keep them.
      res.set(http::field::cache_control, "no-store");
    }
    if (!core_->options.cors_origins.empty()) {
      res.set(http::field::vary, "Origin");
      if (OriginAllowed()) {
        res.set(http::field::access_control_allow_origin, pending_.origin);
        res.set(http::field::access_control_expose_headers, kExposedHeaders);
      }
    }
    for (auto& [name, value] : headers) res.set(name, value);
    res.body() = std::move(response.body);
    res.keep_alive(keep_alive_ && !close && !draining_);
    res.prepare_payload();
    linger_ = close;
    Log(response.status);
    lowest().expires_after(core_->options.write_timeout);
    http::async_write(stream_, res,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        self->OnWrite(ec);
                      });
  }

  void Log(int http_status) {
    const absl::Duration latency = absl::Now() - pending_.start;
    core_->Record(pending_.route, http_status, latency);
    log::ScopedContext context(pending_.request_id, pending_.trace_id);
    const auto fields = {std::pair<std::string_view, log::Value>{"http_method", pending_.method},
                         {"route", pending_.route},
                         {"status", http_status},
                         {"latency_ms", absl::ToDoubleMilliseconds(latency)}};
    if (http_status >= 500) {
      log::Warn("http_request", fields);
    } else {
      log::Info("http_request", fields);
    }
  }

  void OnWrite(beast::error_code ec) {
    if (closed_) return;
    const bool keep = !ec && response_->keep_alive();
    response_.reset();
    if (ec) return CloseNow();
    if (!keep) return linger_ ? Linger() : CloseNow();
    ReadHeader();
  }

  // Half-closes and drops whatever the client still sends, then closes.
  void Linger() {
    if constexpr (kTls) {
      lowest().expires_after(kLingerTime);
      stream_.async_shutdown(
          [self = this->shared_from_this()](beast::error_code) { self->CloseNow(); });
    } else {
      boost::system::error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      lowest().expires_after(kLingerTime);
      DrainSome();
    }
  }

  void DrainSome() {
    if (closed_) return;
    drain_ = std::make_shared<std::array<char, 16384>>();
    lowest().async_read_some(asio::buffer(*drain_), [self = this->shared_from_this()](
                                                        beast::error_code ec, std::size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > kLingerBytes) return self->CloseNow();
      self->DrainSome();
    });
  }

  void CloseNow() {
    if (closed_) return;
    closed_ = true;
    if (counted_) core_->ConnectionClosed();
    boost::system::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
  }

  // Declared first: destroyed last, after the stream that runs on its io_context.
  const std::shared_ptr<Core> core_;
  const std::shared_ptr<asio::ssl::context> ssl_;
  Stream stream_;
  std::string peer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<http::response<http::empty_body>> continue_;
  std::shared_ptr<Response> response_;
  std::shared_ptr<std::array<char, 16384>> drain_;
  std::size_t drained_ = 0;
  Pending pending_;
  bool keep_alive_ = false;
  bool linger_ = false;
  bool closed_ = false;
  bool idle_ = false;      // waiting for the first bytes of a request
  bool draining_ = false;  // the front is shutting down: answer the current request, then close
  bool counted_ = false;   // counted in the front's open connections
};

}  // namespace

void HttpFront::Impl::Accept(const std::shared_ptr<Impl>& self) {
  acceptor.async_accept(asio::make_strand(ioc), [self](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
    if (!ec) {
      std::shared_ptr<SessionBase> session;
      if (self->options.tls.enabled()) {
        auto tls = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
            self, std::move(socket), self->CurrentSsl());
        if (self->Register(tls)) {
              tls->Counted();
              tls->Run();
            }
      } else {
        auto plain = std::make_shared<Session<beast::tcp_stream>>(self, std::move(socket), nullptr);
        if (self->Register(plain)) {
              plain->Counted();
              plain->Run();
            }
      }
    } else {
      // Out of file descriptors and the like: keep accepting; the next try may work.
      log::Warn("http_accept_failed", {{"error", ec.message()}});
    }
    self->Accept(self);
  });
}

void HttpFront::Impl::ScheduleTlsReload(const std::shared_ptr<Impl>& self) {
  tls_timer.expires_after(options.tls.reload_interval);
  tls_timer.async_wait([self](beast::error_code ec) {
    if (ec) return;
    std::vector<std::filesystem::file_time_type> times = TlsFileTimes(self->options.tls);
    if (times != self->tls_times) {
      auto context = MakeSslContext(self->options.tls);
      if (context.ok()) {
        absl::MutexLock lock(&self->mu);
        self->ssl = *std::move(context);
        self->tls_times = std::move(times);
        log::Info("http_tls_reloaded", {});
      } else {
        // Keep serving with the previous certificate; a half-written file is retried.
        log::Warn("http_tls_reload_failed", {{"error", std::string(context.status().message())}});
      }
    }
    self->ScheduleTlsReload(self);
  });
}

HttpFront::HttpFront(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

absl::StatusOr<std::unique_ptr<HttpFront>> HttpFront::Start(Dispatcher& dispatcher,
                                                            HttpFrontOptions options) {
  if (options.threads < 1) return absl::InvalidArgumentError("HTTP threads must be at least 1");
  if (options.port < 0 || options.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("HTTP port ", options.port, " out of range"));
  }
  if (options.max_body_bytes == 0 || options.max_header_bytes < 1024) {
    return absl::InvalidArgumentError(
        "HTTP limits: max body must be positive and max header at least 1024 bytes");
  }
  for (const std::string& origin : options.cors_origins) {
    if (origin == "*" || origin.empty() || absl::EndsWith(origin, "/")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "CORS origin \"", origin, "\" must be an exact origin like https://host[:port]"));
    }
  }
  const std::vector<const google::protobuf::MethodDescriptor*> methods = dispatcher.Methods();
  auto routes = RouteTable::Build(methods);
  if (!routes.ok()) return routes.status();
  OpenApiOptions openapi_options;
  if (!options.public_base_url.empty()) openapi_options.server_url = options.public_base_url;
  auto openapi = BuildOpenApi(methods, openapi_options);
  if (!openapi.ok()) return openapi.status();

  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options.bind, ec);
  if (ec)
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP bind address ", options.bind, ": ", ec.message()));
  std::shared_ptr<asio::ssl::context> ssl;
  if (options.tls.enabled()) {
    auto context = MakeSslContext(options.tls);
    if (!context.ok()) return context.status();
    ssl = *std::move(context);
  }

  const int threads = options.threads;
  auto core = std::make_shared<Impl>(dispatcher, std::move(options), *std::move(routes),
                                     *std::move(openapi));
  {
    absl::MutexLock lock(&core->mu);
    core->ssl = ssl;
  }
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(core->options.port));
  core->acceptor.open(endpoint.protocol(), ec);
  if (!ec) core->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) core->acceptor.bind(endpoint, ec);
  if (!ec) core->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("HTTP listener on ", core->options.bind, ":",
                                               core->options.port, ": ", ec.message()));
  }
  core->port = core->acceptor.local_endpoint(ec).port();
  core->Accept(core);
  if (core->options.tls.enabled()) {
    core->tls_times = TlsFileTimes(core->options.tls);
    core->ScheduleTlsReload(core);
  }
  for (int i = 0; i < threads; ++i) {
    core->threads.emplace_back([raw = core.get()] {
      // Handlers do not throw by design; a throw (e.g. bad_alloc) must not end the thread.
      while (true) {
        try {
          raw->ioc.run();
          return;
        } catch (const std::exception& e) {
          log::Error("http_io_thread_exception", {{"error", e.what()}});
        }
      }
    });
  }
  return std::unique_ptr<HttpFront>(new HttpFront(std::move(core)));
}

HttpFront::~HttpFront() { Stop(); }

int HttpFront::port() const { return impl_->port; }

void HttpFront::Stop() { Shutdown(std::chrono::milliseconds::zero()); }

void HttpFront::Shutdown(std::chrono::milliseconds drain_timeout) {
  if (impl_ == nullptr || impl_->stopped.exchange(true)) return;
  std::vector<std::weak_ptr<SessionBase>> sessions;
  {
    absl::MutexLock lock(&impl_->mu);
    impl_->draining = true;
    for (const auto& [key, weak] : impl_->sessions) sessions.push_back(weak);
  }
  asio::post(impl_->acceptor.get_executor(), [core = impl_] {
    boost::system::error_code ignored;
    core->acceptor.close(ignored);
    core->tls_timer.cancel();
  });
  if (drain_timeout > std::chrono::milliseconds::zero()) {
    for (const std::weak_ptr<SessionBase>& weak : sessions) {
      if (std::shared_ptr<SessionBase> session = weak.lock()) session->Drain();
    }
    absl::MutexLock lock(&impl_->mu);
    auto drained = [core = impl_.get()]() {
      core->mu.AssertReaderHeld();
      return core->open_connections == 0;
    };
    impl_->mu.AwaitWithTimeout(absl::Condition(&drained), absl::FromChrono(drain_timeout));
  }
  {
    absl::MutexLock lock(&impl_->mu);
    impl_->stopping = true;
    sessions.clear();
    for (const auto& [key, weak] : impl_->sessions) sessions.push_back(weak);
  }
  for (const std::weak_ptr<SessionBase>& weak : sessions) {
    if (std::shared_ptr<SessionBase> session = weak.lock()) session->Close();
  }
  impl_->work.reset();
  for (std::thread& thread : impl_->threads) {
    if (thread.joinable()) thread.join();
  }
}

}  // namespace integration::gateway
