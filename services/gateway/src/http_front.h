// The gateway's HTTP/JSON front: a handler on the shared HTTP/1.1 server (integration/http) that
// routes requests by the google.api.http rules of the exposed methods, transcodes JSON to
// protobuf and hands the call to the Dispatcher; also serves GET /openapi.json, GET /healthz, the
// event feed as Server-Sent Events (GET /v1/events:watch) and, when configured, the web
// application (static_site.h) at every other GET outside /v1/.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "dispatcher.h"
#include "integration/http/server.h"
#include "static_site.h"

namespace integration::metrics {
class Metrics;
}  // namespace integration::metrics

namespace integration::auth {
class Verifier;
}  // namespace integration::auth

namespace integration::gateway {

class EventFeed;

// PEM files of the HTTPS listener; plain HTTP when cert_file is empty (loopback development
// only). Re-read when they change (see integration::http::TlsFiles).
using HttpTls = http::TlsFiles;

struct HttpFrontOptions {
  // Listener address; port 0 picks a free port (see HttpFront::port()).
  std::string bind = "0.0.0.0";
  int port = 0;
  // I/O threads. Handlers never block (the Dispatcher is asynchronous), so a few suffice.
  int threads = 2;
  // Largest accepted request body; larger ones get 413 with a JSON google.rpc.Status.
  std::size_t max_body_bytes = 1024 * 1024;
  // Largest accepted request line plus headers; larger ones get 431.
  std::size_t max_header_bytes = 16 * 1024;
  // Most client connections open at once; one more is answered 503 TOO_MANY_CONNECTIONS
  // and closed (see http::ServerOptions::max_connections). 0: no cap.
  int max_connections = 1024;
  // Time a client has to send the request line and headers (slowloris guard; a new
  // connection's count starts at the accept, a kept-alive one's at the first byte).
  std::chrono::milliseconds header_timeout{10000};
  // Time a client has to send the body once the headers are in.
  std::chrono::milliseconds body_timeout{30000};
  // Time a kept-alive connection may sit idle between requests before it is closed.
  std::chrono::milliseconds idle_timeout{60000};
  // Time a client has to accept a response.
  std::chrono::milliseconds write_timeout{30000};
  // Largest client deadline accepted from the "x-timeout-ms" header (the Dispatcher applies its
  // own default and cap as well).
  std::chrono::milliseconds max_timeout{60000};
  // Browser origins allowed to call the API cross-origin, exactly as sent in the Origin header
  // ("https://kurs.lansstyrelsen.se"). Empty: no CORS headers at all.
  std::vector<std::string> cors_origins;
  // How long a browser may cache a preflight answer.
  std::chrono::seconds cors_max_age{600};
  // Absolute base URL listed under "servers" in /openapi.json; empty lists "/" (same origin).
  std::string public_base_url;
  HttpTls tls;
  // The web application served at GET paths outside /v1/ (and other than /openapi.json and
  // /healthz); null: those paths are 404 like any unknown route.
  std::shared_ptr<const StaticSite> site;
  // When set, every request is counted in gateway_http_requests_total{route,code} and timed in
  // gateway_http_request_seconds{route}.
  std::shared_ptr<metrics::Metrics> metrics;
  // The event feed served as Server-Sent Events at GET /v1/events:watch, with the verifier of
  // its callers' tokens; null: no such route.
  EventFeed* events = nullptr;
  std::shared_ptr<auth::Verifier> verifier;
};

// Started once by main(); thread-safe. Routes come from dispatcher.Methods() at Start(); the
// dispatcher must outlive the HttpFront.
class HttpFront {
 public:
  // Builds the route table (errors: conflicting or unparsable http rules, naming the methods),
  // binds the listener (errors: address in use, bad TLS files) and starts the I/O threads.
  static absl::StatusOr<std::unique_ptr<HttpFront>> Start(Dispatcher& dispatcher,
                                                          HttpFrontOptions options);
  // Stops if still running.
  ~HttpFront();
  HttpFront(const HttpFront&) = delete;
  HttpFront& operator=(const HttpFront&) = delete;

  // The bound port (the picked one when the options said 0).
  int port() const;
  // Graceful stop: stops accepting, closes connections waiting for a request, lets requests
  // in progress finish (their answers carry "Connection: close") for up to `drain_timeout`,
  // then closes what is left (a call still in the Dispatcher completes into the void) and joins
  // the I/O threads. Idempotent (later calls return at once); not from an I/O thread.
  void Shutdown(std::chrono::milliseconds drain_timeout);
  // Shutdown without draining.
  void Stop();

  struct Impl;

 private:
  explicit HttpFront(std::shared_ptr<Impl> impl);
  // Shared with the open connections, so a late Dispatcher callback finds it alive.
  std::shared_ptr<Impl> impl_;
};

}  // namespace integration::gateway
