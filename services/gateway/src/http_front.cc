// The HTTP/JSON front: a handler on the shared HTTP server (integration/http) that routes by
// the http rules, transcodes, and answers when the asynchronous Dispatcher is done.
#include "http_front.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "event_feed.h"
#include "http_routes.h"
#include "integration/grpc/call_context.h"
#include "integration/http/server.h"
#include "integration/log/log.h"
#include "integration/metrics/metrics.h"
#include "integration/status/status.h"
#include "openapi.h"
#include "sse_watch.h"
#include "transcoder.h"
#include "watch_events.h"

namespace integration::gateway {
namespace {

using Headers = std::vector<http::HeaderField>;

constexpr char kAllowedMethods[] = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
constexpr char kAllowedHeaders[] =
    "authorization, content-type, x-request-id, traceparent, x-timeout-ms";
constexpr char kExposedHeaders[] = "x-request-id, retry-after, x-cache";

absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

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

// Every field named `name` (case-insensitive) joined by ",", as RFC 9110 allows a list header
// to be split over several fields.
std::string JoinedHeader(const http::Request& request, std::string_view name) {
  std::string out;
  for (const auto& [field, value] : request.headers) {
    if (!absl::EqualsIgnoreCase(Av(field), Av(name))) continue;
    if (!out.empty()) out += ",";
    out += value;
  }
  return out;
}

// One request as the front answers it: what its headers, log line and metrics need.
struct Exchange {
  std::string method;
  std::string route = "unmatched";
  std::string origin;
  std::string request_id;  // the client's when usable, else the backend's or a new one
  std::string trace_id;
  std::chrono::steady_clock::time_point start;  // when the request's header had arrived
};

}  // namespace

// Shared by the HttpFront and every Dispatcher callback still outstanding, so a late
// completion finds it alive (and, once stopped, does nothing).
struct HttpFront::Impl final : public http::Handler, public std::enable_shared_from_this<Impl> {
  Impl(Dispatcher& dispatcher_in, HttpFrontOptions options_in, RouteTable routes_in,
       std::string openapi_in)
      : options(std::move(options_in)),
        dispatcher(dispatcher_in),
        routes(std::move(routes_in)),
        openapi(std::move(openapi_in)) {}

  void Handle(http::Request request, http::Responder respond) override;
  std::optional<http::Response> Refuse(const http::Refusal& refusal,
                                       const http::Request& partial) override;

  // The answer as sent: the front's headers (request id, CORS, caching) around `response`,
  // logged and counted.
  http::Response Finish(Exchange& exchange, HttpResponse response, Headers headers = {},
                        bool close = false);
  http::Response Error(Exchange& exchange, int http_status, const absl::Status& status,
                       Headers headers = {}, bool close = false) {
    return Finish(exchange, ErrorResponse(http_status, status), std::move(headers), close);
  }
  http::Response Options(Exchange& exchange, const http::Request& request, absl::string_view path);
  // GET /v1/events:watch: the event feed as Server-Sent Events.
  void WatchEvents(Exchange& exchange, const http::Request& request, absl::string_view query,
                   const http::Responder& respond);
  bool OriginAllowed(const Exchange& exchange) const;
  void Log(const Exchange& exchange, int http_status);
  void Record(std::string_view route, int status, absl::Duration latency);

  const HttpFrontOptions options;
  Dispatcher& dispatcher;
  const RouteTable routes;
  const std::string openapi;
  std::unique_ptr<http::Server> server;  // set once by Start
  std::atomic<bool> stopped{false};
  int port = 0;
};

void HttpFront::Impl::Handle(http::Request request, http::Responder respond) {
  Exchange exchange;
  exchange.method = request.method;
  exchange.origin = std::string(request.Header("origin"));
  exchange.start = request.received;
  const std::string client_id(request.Header("x-request-id"));
  exchange.request_id = grpc::IsValidRequestId(client_id) ? client_id : "";
  const std::string traceparent(request.Header("traceparent"));
  exchange.trace_id = TraceIdOf(traceparent);

  const absl::string_view target = request.target;
  if (target.empty() || target.front() != '/') {
    return respond.Send(Error(exchange, 400,
                              HttpError(absl::StatusCode::kInvalidArgument, "MALFORMED_HTTP",
                                        "the request target must be a path")));
  }
  const std::size_t question = target.find('?');
  const absl::string_view path = target.substr(0, question);
  const absl::string_view query =
      question == absl::string_view::npos ? absl::string_view() : target.substr(question + 1);

  if (request.method == "OPTIONS") return respond.Send(Options(exchange, request, path));
  if (request.method == "GET" && path == "/openapi.json") {
    exchange.route = "/openapi.json";
    HttpResponse response;
    response.body = openapi;
    return respond.Send(
        Finish(exchange, std::move(response), {{"cache-control", "public, max-age=300"}}));
  }
  if (request.method == "GET" && path == "/healthz") {
    exchange.route = "/healthz";
    HttpResponse response;
    response.body = R"({"status":"SERVING"})";
    return respond.Send(Finish(exchange, std::move(response)));
  }

  if (request.method == "GET" && path == "/v1/events:watch" && options.events != nullptr) {
    exchange.route = "/v1/events:watch";
    return WatchEvents(exchange, request, query, respond);
  }

  if (options.site != nullptr && request.method == "GET" && path != "/v1" &&
      !absl::StartsWith(path, "/v1/")) {
    exchange.route = "web";
    http::Response page = options.site->Serve(ToStd(path), request.Header("if-none-match"));
    HttpResponse response;
    response.status = page.status;
    response.content_type.clear();  // among the site's headers
    response.body = std::move(page.body);
    return respond.Send(Finish(exchange, std::move(response), std::move(page.headers)));
  }

  const RouteMatch match = routes.Match(exchange.method, ToStd(path));
  if (match.route == nullptr) {
    if (!match.allowed_methods.empty()) {
      const std::string allow = absl::StrJoin(match.allowed_methods, ", ");
      return respond.Send(
          Error(exchange, 405,
                HttpError(absl::StatusCode::kUnimplemented, "METHOD_NOT_ALLOWED",
                          absl::StrCat(exchange.method, " is not allowed here; use ", allow)),
                {{"allow", allow}}));
    }
    return respond.Send(
        Error(exchange, 404,
              HttpError(absl::StatusCode::kNotFound, "ROUTE_NOT_FOUND",
                        absl::StrCat("no API method at ", exchange.method, " ", path))));
  }
  const Route& route = *match.route;
  exchange.route = route.path.text();

  if (route.has_body() && !request.body.empty()) {
    const absl::string_view content_type = Av(request.Header("content-type"));
    if (!content_type.empty() && !IsJsonContentType(content_type)) {
      return respond.Send(
          Error(exchange, 415,
                HttpError(absl::StatusCode::kInvalidArgument, "UNSUPPORTED_MEDIA_TYPE",
                          absl::StrCat("the body must be application/json, not ", content_type))));
    }
  }

  BackendCall call;
  call.method = route.method;
  if (const absl::string_view timeout = Av(request.Header("x-timeout-ms")); !timeout.empty()) {
    int64_t ms = 0;
    if (!absl::SimpleAtoi(timeout, &ms) || ms <= 0) {
      return respond.Send(
          Error(exchange, 400,
                status::InvalidField("x-timeout-ms", "must be a positive number of milliseconds",
                                     "INVALID_TIMEOUT")));
    }
    ms = std::min<int64_t>(ms, options.max_timeout.count());
    call.deadline = absl::Now() + absl::Milliseconds(ms);
  }
  auto serialized = TranscodeRequest(route, match.raw_values, ToStd(query), request.body);
  if (!serialized.ok()) return respond.Send(Error(exchange, 400, serialized.status()));

  call.request = *std::move(serialized);
  call.authorization = std::string(request.Header("authorization"));
  call.request_id = exchange.request_id;
  call.traceparent = traceparent;
  call.client_address = request.peer;
  call.forwarding.forwarded = JoinedHeader(request, "forwarded");
  call.forwarding.x_forwarded_for = JoinedHeader(request, "x-forwarded-for");
  // `done` may run on any thread, even inside Dispatch; the Responder hands the answer to the
  // connection's own strand.
  dispatcher.Dispatch(
      std::move(call), [self = shared_from_this(), &route, exchange = std::move(exchange),
                        respond](BackendResult result) mutable {
        if (self->stopped.load()) return;  // the front is gone: nobody to answer or count for
        if (!result.request_id.empty()) exchange.request_id = result.request_id;
        HttpResponse response = result.status.ok() ? TranscodeResponse(route, result.response)
                                                   : ErrorResponse(result.status);
        Headers headers;
        for (const auto& [name, value] : result.headers) {
          headers.emplace_back(absl::AsciiStrToLower(name), value);
        }
        respond.Send(self->Finish(exchange, std::move(response), std::move(headers)));
      });
}

void HttpFront::Impl::WatchEvents(Exchange& exchange, const http::Request& request,
                                  absl::string_view query, const http::Responder& respond) {
  absl::StatusOr<SseWatchRequest> parsed =
      ParseSseWatchRequest(ToStd(query), request.Header("last-event-id"));
  if (!parsed.ok()) return respond.Send(Error(exchange, 400, parsed.status()));
  std::string authorization(request.Header("authorization"));
  if (authorization.empty() && !parsed->access_token.empty()) {
    authorization = absl::StrCat("Bearer ", parsed->access_token);
  }
  absl::StatusOr<auth::Scope> scope = WatchCaller(options.verifier.get(), authorization);
  if (!scope.ok()) return respond.Send(Finish(exchange, ErrorResponse(scope.status())));
  HttpResponse ok;
  ok.content_type = "text/event-stream";
  // Nothing in between may buffer or keep the stream (nginx reads X-Accel-Buffering).
  http::Response head =
      Finish(exchange, std::move(ok), {{"cache-control", "no-store"}, {"x-accel-buffering", "no"}});
  if (absl::Status st =
          ServeSseWatch(*options.events, *scope, *std::move(parsed), respond, std::move(head));
      !st.ok()) {
    respond.Send(Finish(exchange, ErrorResponse(st)));
  }
}

std::optional<http::Response> HttpFront::Impl::Refuse(const http::Refusal& refusal,
                                                      const http::Request& partial) {
  Exchange exchange;
  exchange.method = partial.method;
  exchange.origin = std::string(partial.Header("origin"));
  exchange.start = partial.received;
  switch (refusal.kind) {
    case http::Refusal::Kind::kBodyTooLarge:
      return Error(
          exchange, 413,
          HttpError(absl::StatusCode::kResourceExhausted, "REQUEST_TOO_LARGE",
                    absl::StrCat("request body exceeds ", options.max_body_bytes, " bytes"),
                    {{"max_bytes", absl::StrCat(options.max_body_bytes)}}),
          {}, /*close=*/true);
    case http::Refusal::Kind::kHeaderTooLarge:
      return Error(
          exchange, 431,
          HttpError(absl::StatusCode::kInvalidArgument, "HEADERS_TOO_LARGE",
                    absl::StrCat("request headers exceed ", options.max_header_bytes, " bytes")),
          {}, /*close=*/true);
    case http::Refusal::Kind::kTooManyConnections:
      return Error(exchange, 503,
                   HttpError(absl::StatusCode::kUnavailable, "TOO_MANY_CONNECTIONS",
                             absl::StrCat("the gateway holds its ", options.max_connections,
                                          " connections already; retry shortly")),
                   {{"retry-after", "1"}}, /*close=*/true);
    case http::Refusal::Kind::kMalformed:
      return Error(exchange, 400,
                   HttpError(absl::StatusCode::kInvalidArgument, "MALFORMED_HTTP",
                             absl::StrCat("malformed HTTP request: ", refusal.detail)),
                   {}, /*close=*/true);
  }
  return std::nullopt;
}

http::Response HttpFront::Impl::Options(Exchange& exchange, const http::Request& request,
                                        absl::string_view path) {
  exchange.route = "OPTIONS";
  const bool preflight =
      !exchange.origin.empty() && request.HasHeader("access-control-request-method");
  if (preflight) {
    if (!OriginAllowed(exchange)) {
      return Error(exchange, 403,
                   HttpError(absl::StatusCode::kPermissionDenied, "CORS_ORIGIN_NOT_ALLOWED",
                             absl::StrCat("origin ", exchange.origin, " may not call this API")));
    }
    HttpResponse response;
    response.status = 204;
    response.content_type.clear();
    return Finish(exchange, std::move(response),
                  {{"access-control-allow-methods", std::string(kAllowedMethods)},
                   {"access-control-allow-headers", std::string(kAllowedHeaders)},
                   {"access-control-max-age", absl::StrCat(options.cors_max_age.count())}});
  }
  const RouteMatch match = routes.Match("OPTIONS", ToStd(path));
  if (match.allowed_methods.empty()) {
    return Error(exchange, 404,
                 HttpError(absl::StatusCode::kNotFound, "ROUTE_NOT_FOUND",
                           absl::StrCat("no API method at ", path)));
  }
  HttpResponse response;
  response.status = 204;
  response.content_type.clear();
  return Finish(exchange, std::move(response),
                {{"allow", absl::StrCat(absl::StrJoin(match.allowed_methods, ", "), ", OPTIONS")}});
}

bool HttpFront::Impl::OriginAllowed(const Exchange& exchange) const {
  if (exchange.origin.empty()) return false;
  for (const std::string& allowed : options.cors_origins) {
    if (allowed == exchange.origin) return true;
  }
  return false;
}

http::Response HttpFront::Impl::Finish(Exchange& exchange, HttpResponse response, Headers headers,
                                       bool close) {
  if (exchange.request_id.empty()) exchange.request_id = grpc::NewRequestId();
  http::Response out;
  out.status = response.status;
  if (!response.content_type.empty())
    out.headers.emplace_back("content-type", response.content_type);
  out.headers.emplace_back("x-request-id", exchange.request_id);
  out.headers.emplace_back("x-content-type-options", "nosniff");
  if (response.status != 204 && exchange.route != "/openapi.json") {
    // Answers may hold personal data; nothing in between may keep them.
    out.headers.emplace_back("cache-control", "no-store");
  }
  if (!options.cors_origins.empty()) {
    out.headers.emplace_back("vary", "Origin");
    if (OriginAllowed(exchange)) {
      out.headers.emplace_back("access-control-allow-origin", exchange.origin);
      out.headers.emplace_back("access-control-expose-headers", kExposedHeaders);
    }
  }
  for (auto& header : headers) out.headers.push_back(std::move(header));
  out.body = std::move(response.body);
  out.close = close;
  Log(exchange, response.status);
  return out;
}

void HttpFront::Impl::Log(const Exchange& exchange, int http_status) {
  const absl::Duration latency =
      absl::FromChrono(std::chrono::steady_clock::now() - exchange.start);
  Record(exchange.route, http_status, latency);
  log::ScopedContext context(exchange.request_id, exchange.trace_id);
  const auto fields = {std::pair<std::string_view, log::Value>{"http_method", exchange.method},
                       {"route", exchange.route},
                       {"status", http_status},
                       {"latency_ms", absl::ToDoubleMilliseconds(latency)}};
  if (http_status >= 500) {
    log::Warn("http_request", fields);
  } else {
    log::Info("http_request", fields);
  }
}

void HttpFront::Impl::Record(std::string_view route, int status, absl::Duration latency) {
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

HttpFront::HttpFront(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

absl::StatusOr<std::unique_ptr<HttpFront>> HttpFront::Start(Dispatcher& dispatcher,
                                                            HttpFrontOptions options) {
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

  http::ServerOptions server_options;
  server_options.bind = options.bind;
  server_options.port = options.port;
  server_options.threads = options.threads;
  server_options.max_body_bytes = options.max_body_bytes;
  server_options.max_header_bytes = options.max_header_bytes;
  server_options.max_connections = options.max_connections;
  server_options.header_timeout = options.header_timeout;
  server_options.body_timeout = options.body_timeout;
  server_options.idle_timeout = options.idle_timeout;
  server_options.write_timeout = options.write_timeout;
  server_options.tls = options.tls;
  server_options.name = "http";
  auto core = std::make_shared<Impl>(dispatcher, std::move(options), *std::move(routes),
                                     *std::move(openapi));
  auto server = http::Server::Start(*core, std::move(server_options));
  if (!server.ok()) {
    return absl::Status(server.status().code(), absl::StrCat("HTTP ", server.status().message()));
  }
  core->server = *std::move(server);
  core->port = core->server->port();
  return std::unique_ptr<HttpFront>(new HttpFront(std::move(core)));
}

HttpFront::~HttpFront() { Stop(); }

int HttpFront::port() const { return impl_->port; }

void HttpFront::Stop() { Shutdown(std::chrono::milliseconds::zero()); }

void HttpFront::Shutdown(std::chrono::milliseconds drain_timeout) {
  if (impl_ == nullptr || impl_->server == nullptr) return;
  // Answers of requests in progress still go out while draining; the flag only turns later
  // completions into no-ops.
  impl_->server->Shutdown(drain_timeout);
  impl_->stopped.store(true);
}

}  // namespace integration::gateway
