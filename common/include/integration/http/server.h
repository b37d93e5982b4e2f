// The one HTTP/1.1 server of the suite (Boost.Beast, kept out of this header): keep-alive,
// optional TLS with certificate reload and client certificates, request size limits and
// timeouts, graceful draining. The admin endpoint and the gateway's HTTP front are handlers.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace integration::http {

// One header field, name as sent or to send.
using HeaderField = std::pair<std::string, std::string>;

// A complete request.
struct Request {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // path and query, e.g. "/v1/parts?page_size=5"
  int version = 11;    // 10 or 11
  std::vector<HeaderField> headers;
  std::string body;
  std::string peer;  // the client's IP address, "" when unknown
  // When the request line and headers had arrived: where a request's latency starts.
  std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now();

  // The value of the first field named `name` (case-insensitive); "" when there is none.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
};

// An answer. The server adds Content-Length and Connection; the HTTP version is the request's.
struct Response {
  int status = 200;
  // Set in order: a later field replaces an earlier one of the same name.
  std::vector<HeaderField> headers;
  std::string body;
  // Close the connection after this response even if the client would keep it.
  bool close = false;
};

// What a streamed response (Responder::Stream) tells its handler. Both run on the
// connection's I/O thread: never block in them.
struct StreamCallbacks {
  // Every part written so far has been sent: the handler may write the next one. Called after
  // the head was sent, then after each drained write.
  std::function<void()> on_drained;
  // The connection closed (the client went away, a write timed out, the server stopped): the
  // handler releases what feeds the stream. Called once; later writes are dropped.
  std::function<void()> on_closed;
};

// The sending side of a streamed response (Server-Sent Events): the body's parts go out as
// HTTP/1.1 chunks in the order written; End sends the last chunk and closes the connection.
// Copyable; callable from any thread. The handler bounds what it queues by writing again only
// after on_drained.
class StreamWriter {
 public:
  struct State;  // shared with the connection, defined by the server
  explicit StreamWriter(std::shared_ptr<State> state) noexcept : state_(std::move(state)) {}
  // Queues `part`; false once the stream ended or the connection closed.
  bool Write(std::string part) const;
  // Ends the response after the parts queued before. Idempotent.
  void End() const;

 private:
  std::shared_ptr<State> state_;
};

// Sends the response to one request. Copyable; callable from any thread, now or later (an
// asynchronous handler answers from its completion callback). Only the first call counts, and
// nothing is sent once the connection closed or the server stopped.
class Responder {
 public:
  class Target;  // the connection, defined by the server
  Responder(std::shared_ptr<Target> target, uint64_t request) noexcept;
  void Send(Response response) const;
  // Answers with `head` (status and headers; its body is ignored) and a body written later
  // through the returned writer, chunked, on a connection that closes when it ends. Counts as
  // the answer like Send; when the request was answered already, or the connection closed,
  // `callbacks.on_closed` runs at once (on some thread) and writes are dropped. While the
  // server drains, a stream stays open until its handler ends it or the drain timeout.
  StreamWriter Stream(Response head, StreamCallbacks callbacks) const;

 private:
  std::shared_ptr<Target> target_;
  uint64_t request_;
};

// Why a request was refused before it was read completely.
struct Refusal {
  enum class Kind {
    kBodyTooLarge,    // declared or sent body over max_body_bytes
    kHeaderTooLarge,  // request line and headers over max_header_bytes
    kMalformed,       // not HTTP/1.1 as the parser reads it
    // The server holds max_connections already. Asked before anything is read (`partial` is
    // empty); the answer is written at once (plain HTTP only: a TLS connection over the cap
    // is closed without a handshake, which would cost what the cap protects).
    kTooManyConnections,
  };
  Kind kind;
  std::string detail;  // the parser's words, for kMalformed
};

// What the server calls. Calls for different connections may run at the same time on
// different I/O threads; the handler must outlive the server.
class Handler {
 public:
  virtual ~Handler() = default;
  // A complete request. Answer through `respond`; never block here (the calling I/O thread
  // serves other connections too).
  virtual void Handle(Request request, Responder respond) = 0;
  // A request the server refused. `partial` holds the method, target and headers when the
  // header had been read, else nothing. The answer is sent and the connection then closed
  // (after reading and dropping what the client still sends, so it sees the answer instead of
  // a reset); nullopt closes at once.
  virtual std::optional<Response> Refuse(const Refusal& refusal, const Request& partial) = 0;
};

// PEM files of a TLS listener; plain HTTP when cert_file is empty. The files are re-read every
// reload_interval when they changed, so a renewed certificate applies to new connections
// without a restart.
struct TlsFiles {
  std::string cert_file;       // certificate chain
  std::string key_file;        // its private key; required with cert_file
  std::string client_ca_file;  // when set, clients must present a certificate it signed (mTLS)
  std::chrono::seconds reload_interval{60};

  bool enabled() const { return !cert_file.empty(); }
};

struct ServerOptions {
  // Listener address; port 0 picks a free port (see Server::port()).
  std::string bind = "0.0.0.0";
  int port = 0;
  // I/O threads. Handlers never block, so a few suffice.
  int threads = 1;
  // Largest accepted request body and request line plus headers (Refusal beyond them).
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  // Most connections open at once; one more is refused (Refusal kTooManyConnections) and
  // closed. 0: no cap.
  int max_connections = 1024;
  // Time a client has to send the request line and headers: on a new connection from the
  // accept (TLS handshake included), on a kept-alive one from the first byte of its next
  // request. Beyond it the connection is closed (slowloris guard).
  std::chrono::milliseconds header_timeout{10000};
  // Time a client has to send a request's body once the headers are in.
  std::chrono::milliseconds body_timeout{30000};
  // Time a kept-alive connection may sit idle between requests before it is closed.
  std::chrono::milliseconds idle_timeout{60000};
  // Time a client has to accept a response.
  std::chrono::milliseconds write_timeout{30000};
  TlsFiles tls;
  // Prefix of the server's log events ("<name>_accept_failed", "<name>_tls_reloaded", …).
  std::string name = "http";
};

// A running server. Thread-safe.
class Server {
 public:
  // Validates the options, binds the listener and starts the I/O threads. INVALID_ARGUMENT for
  // bad options, a bad bind address or unusable TLS files (naming the file); UNAVAILABLE when
  // the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Server>> Start(Handler& handler, ServerOptions options);
  // Stops if still running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (the picked one when the options said 0).
  int port() const;
  // Graceful stop: stops accepting, closes connections waiting for a request, lets requests in
  // progress finish (their answers carry "Connection: close") for up to `drain_timeout`, then
  // closes what is left (a late answer goes nowhere) and joins the I/O threads. Idempotent
  // (later calls return at once); not from an I/O thread.
  void Shutdown(std::chrono::milliseconds drain_timeout);
  // Shutdown without draining.
  void Stop();

  struct Impl;

 private:
  explicit Server(std::shared_ptr<Impl> impl);
  // Shared with the open connections, so a late Responder finds it alive.
  std::shared_ptr<Impl> impl_;
};

}  // namespace integration::http
