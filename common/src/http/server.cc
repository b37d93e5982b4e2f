// The HTTP/1.1 server: Boost.Beast sessions on a small io_context pool, each on its own strand,
// handing complete requests to the Handler and writing its answers when they come.
#include "integration/http/server.h"

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
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <deque>
#include <exception>
#include <filesystem>
#include <map>
#include <thread>
#include <type_traits>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "integration/log/log.h"

namespace integration::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

using BeastRequest = bhttp::request<bhttp::string_body>;
using BeastResponse = bhttp::response<bhttp::string_body>;

// After a refusal that leaves request bytes unread (413, 431), the connection is half-closed
// and the rest read and dropped for at most this long, so the client sees the response
// instead of a reset.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 16 * 1024 * 1024;
// After a failed accept (e.g. out of file descriptors): wait instead of spinning.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);
// Connections over max_connections that are still being answered; beyond these a connection
// over the cap is closed without an answer, so a flood cannot grow the answering set either.
constexpr int kMaxOverCapAnswers = 64;
// What a kept-alive connection reads when its next request begins.
constexpr std::size_t kFirstReadBytes = 4096;

std::string Str(beast::string_view s) { return std::string(s.data(), s.size()); }
absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::StatusOr<std::shared_ptr<asio::ssl::context>> MakeSslContext(const TlsFiles& tls) {
  if (tls.key_file.empty()) {
    return absl::InvalidArgumentError("TLS: a certificate file needs a key file");
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
        absl::StrCat("TLS certificate file ", tls.cert_file, ": ", ec.message()));
  }
  context->use_private_key_file(tls.key_file, asio::ssl::context::pem, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS key file ", tls.key_file, ": ", ec.message()));
  }
  if (!tls.client_ca_file.empty()) {
    context->load_verify_file(tls.client_ca_file, ec);
    if (!ec) {
      context->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert, ec);
    }
    if (ec) {
      return absl::InvalidArgumentError(
          absl::StrCat("TLS client CA file ", tls.client_ca_file, ": ", ec.message()));
    }
  }
  return context;
}

// Modification times of the TLS files, to notice a renewed certificate.
std::vector<std::filesystem::file_time_type> TlsFileTimes(const TlsFiles& tls) {
  std::vector<std::filesystem::file_time_type> times;
  for (const std::string* file : {&tls.cert_file, &tls.key_file, &tls.client_ca_file}) {
    std::error_code ec;
    times.push_back(file->empty() ? std::filesystem::file_time_type{}
                                  : std::filesystem::last_write_time(*file, ec));
  }
  return times;
}

// What the server sees of a request: the fields Beast parsed, as plain strings.
Request ToRequest(BeastRequest&& message, const std::string& peer, bool with_body,
                  std::chrono::steady_clock::time_point received) {
  Request request;
  request.received = received;
  request.method = Str(message.method_string());
  request.target = Str(message.target());
  request.version = static_cast<int>(message.version());
  for (const auto& field : message) {
    request.headers.emplace_back(Str(field.name_string()), Str(field.value()));
  }
  if (with_body) request.body = std::move(message.body());
  request.peer = peer;
  return request;
}

// A read that ended because the client went away or idled out: closed without an answer.
bool ClientGone(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
         ec == asio::error::operation_aborted || ec == asio::error::eof ||
         ec == asio::error::connection_reset;
}

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Closes the connection from the session's strand; a pending answer goes nowhere.
  virtual void Close() = 0;
  // Lets the request in progress finish (answered with "Connection: close"), then closes;
  // closes at once when the connection is waiting for a request.
  virtual void Drain() = 0;
};

}  // namespace

// The connection a Responder answers on.
class Responder::Target {
 public:
  virtual ~Target() = default;
  virtual void Deliver(uint64_t request, Response response) = 0;
  // Starts a streamed response; `state` is then fed by its StreamWriter.
  virtual void DeliverStream(uint64_t request, Response head,
                             std::shared_ptr<StreamWriter::State> state) = 0;
  // The writer queued parts or ended: resume writing on the connection's strand.
  virtual void Kick() = 0;
};

// Parts written by the handler and not yet taken by the connection.
struct StreamWriter::State {
  absl::Mutex mu;
  std::deque<std::string> parts ABSL_GUARDED_BY(mu);
  bool end ABSL_GUARDED_BY(mu) = false;
  bool closed ABSL_GUARDED_BY(mu) = false;
  StreamCallbacks callbacks;  // set before the state is shared
  std::weak_ptr<Responder::Target> target;
  // Keeps the connection alive while the stream is open and no read or write is pending (a
  // stream waiting for its next event); released when it closes.
  std::shared_ptr<Responder::Target> keep ABSL_GUARDED_BY(mu);

  // Marks the stream closed and tells the handler once.
  void Close() {
    std::shared_ptr<Responder::Target> released;
    {
      absl::MutexLock lock(&mu);
      if (closed) return;
      closed = true;
      parts.clear();
      released = std::move(keep);
    }
    if (callbacks.on_closed) callbacks.on_closed();
  }
};

Responder::Responder(std::shared_ptr<Target> target, uint64_t request) noexcept
    : target_(std::move(target)), request_(request) {}

void Responder::Send(Response response) const {
  if (target_ != nullptr) target_->Deliver(request_, std::move(response));
}

StreamWriter Responder::Stream(Response head, StreamCallbacks callbacks) const {
  auto state = std::make_shared<StreamWriter::State>();
  state->callbacks = std::move(callbacks);
  state->target = target_;
  if (target_ == nullptr) {
    state->Close();
  } else {
    target_->DeliverStream(request_, std::move(head), state);
  }
  return StreamWriter(state);
}

bool StreamWriter::Write(std::string part) const {
  {
    absl::MutexLock lock(&state_->mu);
    if (state_->closed || state_->end) return false;
    state_->parts.push_back(std::move(part));
  }
  if (std::shared_ptr<Responder::Target> target = state_->target.lock()) target->Kick();
  return true;
}

void StreamWriter::End() const {
  {
    absl::MutexLock lock(&state_->mu);
    if (state_->closed || state_->end) return;
    state_->end = true;
  }
  if (std::shared_ptr<Responder::Target> target = state_->target.lock()) target->Kick();
}

// Whether an accepted connection is served (counted against max_connections), answered as one
// too many, or closed at once.
enum class Admission { kServe, kOverCap, kClose };

// Shared by the Server and every session: a session (and a Responder a handler still holds)
// keeps it alive, so a late answer never touches freed memory.
struct Server::Impl {
  Impl(Handler& handler_in, ServerOptions options_in)
      : options(std::move(options_in)),
        handler(handler_in),
        work(asio::make_work_guard(ioc)),
        acceptor(asio::make_strand(ioc)),
        tls_timer(acceptor.get_executor()),
        retry_timer(acceptor.get_executor()) {}

  const ServerOptions options;
  Handler& handler;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor;
  asio::steady_timer tls_timer;                            // on the acceptor's strand
  asio::steady_timer retry_timer;                          // on the acceptor's strand
  std::vector<std::filesystem::file_time_type> tls_times;  // acceptor strand only
  std::vector<std::thread> threads;
  int port = 0;
  std::atomic<bool> stopped{false};

  absl::Mutex mu;
  bool stopping ABSL_GUARDED_BY(mu) = false;
  bool draining ABSL_GUARDED_BY(mu) = false;
  int open_connections ABSL_GUARDED_BY(mu) = 0;
  int over_cap_connections ABSL_GUARDED_BY(mu) = 0;  // being answered kTooManyConnections
  std::map<const SessionBase*, std::weak_ptr<SessionBase>> sessions ABSL_GUARDED_BY(mu);
  std::shared_ptr<asio::ssl::context> ssl ABSL_GUARDED_BY(mu);

  // Posts `fn` to `executor` unless the server is stopping (then the I/O threads may be gone).
  template <class Executor, class Fn>
  void PostUnlessStopping(const Executor& executor, Fn&& fn) {
    absl::MutexLock lock(&mu);
    if (stopping) return;
    asio::post(executor, std::forward<Fn>(fn));
  }

  Admission Register(const std::shared_ptr<SessionBase>& session) {
    absl::MutexLock lock(&mu);
    if (stopping || draining) return Admission::kClose;
    Admission admission = Admission::kServe;
    if (options.max_connections > 0 && open_connections >= options.max_connections) {
      if (over_cap_connections >= kMaxOverCapAnswers) return Admission::kClose;
      admission = Admission::kOverCap;
      ++over_cap_connections;
    } else {
      ++open_connections;
    }
    sessions[session.get()] = session;
    return admission;
  }
  void ConnectionClosed(Admission admission) {
    absl::MutexLock lock(&mu);
    if (admission == Admission::kServe) --open_connections;
    if (admission == Admission::kOverCap) --over_cap_connections;
  }
  void Unregister(const SessionBase* session) {
    absl::MutexLock lock(&mu);
    sessions.erase(session);
  }
  std::shared_ptr<asio::ssl::context> CurrentSsl() {
    absl::MutexLock lock(&mu);
    return ssl;
  }

  void Accept(const std::shared_ptr<Impl>& self);
  void ScheduleTlsReload(const std::shared_ptr<Impl>& self);
};

namespace {

using Core = Server::Impl;

// One client connection: reads requests one after the other and answers each before reading
// the next (no pipelining), closes on errors that leave the stream in an unknown state.
template <class Stream>
class Session : public SessionBase,
                public Responder::Target,
                public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Session(std::shared_ptr<Core> core, tcp::socket socket, std::shared_ptr<asio::ssl::context> ssl)
      : core_(std::move(core)), ssl_(std::move(ssl)), stream_(MakeStream(std::move(socket))) {
    boost::system::error_code ec;
    const tcp::endpoint peer = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) peer_ = peer.address().to_string();
  }

  ~Session() override {
    if (!closed_) core_->ConnectionClosed(admission_);
    core_->Unregister(this);
  }

  // Called once Register admitted this connection (kServe or kOverCap).
  void Admitted(Admission admission) { admission_ = admission; }

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

  void Deliver(uint64_t request, Response response) override {
    // The handler may answer from any thread, even inside Handle: resume on this strand.
    core_->PostUnlessStopping(stream_.get_executor(), [self = this->shared_from_this(), request,
                                                       response = std::move(response)]() mutable {
      if (self->closed_ || !self->awaiting_ || request != self->request_) return;
      self->awaiting_ = false;
      self->Write(std::move(response), /*linger=*/false);
    });
  }

  void DeliverStream(uint64_t request, Response head,
                     std::shared_ptr<StreamWriter::State> state) override {
    // Not PostUnlessStopping: a stream refused because the server stops must still be told.
    asio::post(stream_.get_executor(),
               [self = this->shared_from_this(), request, head = std::move(head), state]() mutable {
                 if (self->closed_ || !self->awaiting_ || request != self->request_) {
                   state->Close();
                   return;
                 }
                 self->awaiting_ = false;
                 self->WriteStreamHead(std::move(head), std::move(state));
               });
  }

  void Kick() override {
    asio::post(stream_.get_executor(),
               [self = this->shared_from_this()] { self->WriteStreamPart(); });
  }

 private:
  Stream MakeStream(tcp::socket socket) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *ssl_);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  const ServerOptions& options() const { return core_->options; }

  void Begin() {
    if (admission_ == Admission::kOverCap) {
      // Answered without reading the request: its bytes are dropped by the linger.
      if constexpr (kTls) {
        return CloseNow();
      } else {
        return Refuse(Refusal::Kind::kTooManyConnections, false);
      }
    }
    // A new connection has header_timeout from now for its handshake and first request's
    // headers: one deadline, not renewed by the bytes that trickle in.
    lowest().expires_after(options().header_timeout);
    first_request_ = true;
    if constexpr (kTls) {
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
    parser_->header_limit(static_cast<std::uint32_t>(options().max_header_bytes));
    parser_->body_limit(options().max_body_bytes);
    if (std::exchange(first_request_, false)) return ReadHeaderRest();
    if (buffer_.size() > 0) {
      // The client sent the next request already: its headers are due from now.
      lowest().expires_after(options().header_timeout);
      return ReadHeaderRest();
    }
    // Kept alive: idle_timeout for the next request to begin, then header_timeout for its
    // headers.
    lowest().expires_after(options().idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(kFirstReadBytes),
        [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
          if (self->closed_) return;
          if (ec) return self->CloseNow();
          self->buffer_.commit(n);
          self->lowest().expires_after(self->options().header_timeout);
          self->ReadHeaderRest();
        });
  }

  void ReadHeaderRest() {
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                               self->OnHeader(ec);
                             });
  }

  void OnHeader(beast::error_code ec) {
    idle_ = false;
    if (closed_) return;
    received_ = std::chrono::steady_clock::now();
    // A Content-Length over the limit fails the header read already.
    // Beast reports a declared length over the limit once the header is in.
    if (ec == bhttp::error::body_limit) return Refuse(Refusal::Kind::kBodyTooLarge, true);
    if (ec == bhttp::error::header_limit) return Refuse(Refusal::Kind::kHeaderTooLarge, false);
    if (ec) {
      // The client went away, idled out, or sent nothing at all; else it sent something that
      // is not HTTP.
      if (ClientGone(ec) || buffer_.size() == 0) return CloseNow();
      return Refuse(Refusal::Kind::kMalformed, false, ec.message());
    }
    const auto length = parser_->content_length();
    if (length && *length > options().max_body_bytes) {
      return Refuse(Refusal::Kind::kBodyTooLarge, true);
    }
    lowest().expires_after(options().body_timeout);
    if (beast::iequals(parser_->get()[bhttp::field::expect], "100-continue")) {
      continue_ = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                       parser_->get().version());
      bhttp::async_write(stream_, *continue_,
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
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->OnBody(ec); });
  }

  void OnBody(beast::error_code ec) {
    if (closed_) return;
    if (ec == bhttp::error::body_limit) return Refuse(Refusal::Kind::kBodyTooLarge, true);
    if (ec) {
      if (ClientGone(ec) || ec == bhttp::error::partial_message) return CloseNow();
      return Refuse(Refusal::Kind::kMalformed, true, ec.message());
    }
    lowest().expires_never();  // the handler owns the time from here
    keep_alive_ = parser_->get().keep_alive();
    version_ = parser_->get().version();
    Request request = ToRequest(parser_->release(), peer_, /*with_body=*/true, received_);
    awaiting_ = true;
    ++request_;
    try {
      core_->handler.Handle(std::move(request), Responder(this->shared_from_this(), request_));
    } catch (const std::exception& e) {
      // Handlers answer errors themselves; a throw (e.g. bad_alloc) must not leave the client
      // waiting.
      log::Error(absl::StrCat(options().name, "_handler_failed"), {{"error", e.what()}});
      awaiting_ = false;
      Response response;
      response.status = 500;
      response.headers = {{"content-type", "text/plain; charset=utf-8"}};
      response.body = "internal error\n";
      response.close = true;
      Write(std::move(response), /*linger=*/false);
    }
  }

  // Answers a request that was not read completely, then closes. `header_read`: the request
  // line and the header fields are complete (the failure came later).
  void Refuse(Refusal::Kind kind, bool header_read, std::string detail = "") {
    Request partial;
    if (header_read && parser_.has_value()) {
      keep_alive_ = false;
      version_ = parser_->get().version();
      partial = ToRequest(parser_->release(), peer_, /*with_body=*/false, received_);
    } else {
      version_ = 11;
    }
    std::optional<Response> response;
    try {
      response = core_->handler.Refuse(Refusal{kind, std::move(detail)}, partial);
    } catch (const std::exception& e) {
      log::Error(absl::StrCat(options().name, "_handler_failed"), {{"error", e.what()}});
    }
    if (!response.has_value()) return CloseNow();
    response->close = true;
    Write(*std::move(response), /*linger=*/true);
  }

  void Write(Response response, bool linger) {
    if (closed_) return;
    response_ = std::make_shared<BeastResponse>();
    BeastResponse& message = *response_;
    message.version(version_);
    message.result(static_cast<unsigned>(response.status));
    for (const auto& [name, value] : response.headers) message.set(name, value);
    message.body() = std::move(response.body);
    message.keep_alive(keep_alive_ && !response.close && !draining_);
    message.prepare_payload();
    linger_ = linger;
    lowest().expires_after(options().write_timeout);
    bhttp::async_write(stream_, message,
                       [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                         self->OnWrite(ec);
                       });
  }

  void OnWrite(beast::error_code ec) {
    if (closed_) return;
    const bool keep = !ec && response_->keep_alive();
    response_.reset();
    if (ec) return CloseNow();
    if (!keep) return linger_ ? Linger() : CloseNow();
    ReadHeader();
  }

  // The head of a streamed response: chunked, and the connection closes after it.
  void WriteStreamHead(Response head, std::shared_ptr<StreamWriter::State> state) {
    if (closed_) return state->Close();
    {
      absl::MutexLock lock(&state->mu);
      state->keep = this->shared_from_this();
    }
    stream_state_ = std::move(state);
    stream_head_ = std::make_shared<bhttp::response<bhttp::empty_body>>();
    bhttp::response<bhttp::empty_body>& message = *stream_head_;
    message.version(version_);
    message.result(static_cast<unsigned>(head.status));
    for (const auto& [name, value] : head.headers) message.set(name, value);
    message.keep_alive(false);
    message.chunked(true);
    stream_serializer_ = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(message);
    stream_writing_ = true;
    lowest().expires_after(options().write_timeout);
    bhttp::async_write_header(stream_, *stream_serializer_,
                              [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                                self->OnStreamWrite(ec);
                              });
  }

  // Writes what the handler queued (all of it as one chunk), or the last chunk once it ended;
  // with nothing queued, tells the handler it may write more.
  void WriteStreamPart() {
    if (closed_ || stream_state_ == nullptr || stream_writing_) return;
    std::string part;
    bool end = false;
    {
      absl::MutexLock lock(&stream_state_->mu);
      while (!stream_state_->parts.empty()) {
        part += stream_state_->parts.front();
        stream_state_->parts.pop_front();
      }
      end = stream_state_->end;
    }
    if (part.empty() && !end) {
      lowest().expires_never();  // idle between events: the handler's heartbeats keep it alive
      if (stream_state_->callbacks.on_drained) stream_state_->callbacks.on_drained();
      return;
    }
    stream_writing_ = true;
    lowest().expires_after(options().write_timeout);
    if (!part.empty()) {
      stream_part_ = std::make_shared<std::string>(std::move(part));
      asio::async_write(stream_, bhttp::make_chunk(asio::buffer(*stream_part_)),
                        [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                          self->OnStreamWrite(ec);
                        });
      return;
    }
    asio::async_write(
        stream_, bhttp::make_chunk_last(),
        [self = this->shared_from_this()](beast::error_code, std::size_t) { self->CloseNow(); });
  }

  void OnStreamWrite(beast::error_code ec) {
    stream_writing_ = false;
    stream_part_.reset();
    if (closed_) return;
    if (ec) return CloseNow();
    WriteStreamPart();
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
    if (stream_state_ != nullptr) stream_state_->Close();
    core_->ConnectionClosed(admission_);
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
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<bhttp::response<bhttp::empty_body>> continue_;
  std::shared_ptr<BeastResponse> response_;
  std::shared_ptr<std::array<char, 16384>> drain_;
  // A streamed response: what feeds it, its head (alive while the serializer writes it), the
  // part being written, and whether a write is in flight.
  std::shared_ptr<StreamWriter::State> stream_state_;
  std::shared_ptr<bhttp::response<bhttp::empty_body>> stream_head_;
  std::shared_ptr<bhttp::response_serializer<bhttp::empty_body>> stream_serializer_;
  std::shared_ptr<std::string> stream_part_;
  bool stream_writing_ = false;
  std::size_t drained_ = 0;
  std::chrono::steady_clock::time_point received_;  // when the current request's header came
  uint64_t request_ = 0;   // number of the request being answered (Responders name theirs)
  unsigned version_ = 11;  // HTTP version of that request
  bool awaiting_ = false;  // handed to the handler, not answered yet
  bool keep_alive_ = false;
  bool linger_ = false;
  bool closed_ = false;
  bool idle_ = false;      // waiting for the first bytes of a request
  bool draining_ = false;  // the server is shutting down: answer the current request, then close
  bool first_request_ = false;  // the connection's first request: Begin set its deadline
  // Counted in the server's open connections (kServe) or its over-cap answers (kOverCap);
  // kClose until Register admitted it.
  Admission admission_ = Admission::kClose;
};

}  // namespace

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (absl::EqualsIgnoreCase(Av(field), Av(name))) return value;
  }
  return {};
}

bool Request::HasHeader(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (absl::EqualsIgnoreCase(Av(field), Av(name))) return true;
  }
  return false;
}

void Server::Impl::Accept(const std::shared_ptr<Impl>& self) {
  acceptor.async_accept(asio::make_strand(ioc), [self](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
    if (ec) {
      // Out of file descriptors and the like: try again a little later; it may work then.
      log::Warn(absl::StrCat(self->options.name, "_accept_failed"), {{"error", ec.message()}});
      self->retry_timer.expires_after(kAcceptRetryDelay);
      self->retry_timer.async_wait([self](beast::error_code timer_ec) {
        if (!timer_ec && self->acceptor.is_open()) self->Accept(self);
      });
      return;
    }
    if (self->options.tls.enabled()) {
      auto session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
          self, std::move(socket), self->CurrentSsl());
      if (const Admission a = self->Register(session); a != Admission::kClose) {
        session->Admitted(a);
        session->Run();
      }
    } else {
      auto session = std::make_shared<Session<beast::tcp_stream>>(self, std::move(socket), nullptr);
      if (const Admission a = self->Register(session); a != Admission::kClose) {
        session->Admitted(a);
        session->Run();
      }
    }
    self->Accept(self);
  });
}

void Server::Impl::ScheduleTlsReload(const std::shared_ptr<Impl>& self) {
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
        log::Info(absl::StrCat(self->options.name, "_tls_reloaded"), {});
      } else {
        // Keep serving with the previous certificate; a half-written file is retried.
        log::Warn(absl::StrCat(self->options.name, "_tls_reload_failed"),
                  {{"error", std::string(context.status().message())}});
      }
    }
    self->ScheduleTlsReload(self);
  });
}

Server::Server(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(Handler& handler, ServerOptions options) {
  if (options.threads < 1) return absl::InvalidArgumentError("threads must be at least 1");
  if (options.port < 0 || options.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("port ", options.port, " out of range"));
  }
  if (options.max_body_bytes == 0 || options.max_header_bytes < 1024) {
    return absl::InvalidArgumentError(
        "limits: max body must be positive and max header at least 1024 bytes");
  }
  if (options.max_connections < 0) {
    return absl::InvalidArgumentError("max_connections must be >= 0 (0: no cap)");
  }
  if (options.header_timeout <= std::chrono::milliseconds::zero() ||
      options.body_timeout <= std::chrono::milliseconds::zero() ||
      options.idle_timeout <= std::chrono::milliseconds::zero() ||
      options.write_timeout <= std::chrono::milliseconds::zero()) {
    return absl::InvalidArgumentError("timeouts must be positive");
  }
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options.bind, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("bind address \"", options.bind, "\": ", ec.message()));
  }
  std::shared_ptr<asio::ssl::context> ssl;
  if (options.tls.enabled()) {
    auto context = MakeSslContext(options.tls);
    if (!context.ok()) return context.status();
    ssl = *std::move(context);
  }

  const int threads = options.threads;
  auto core = std::make_shared<Impl>(handler, std::move(options));
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
    return absl::UnavailableError(absl::StrCat("listener on ", core->options.bind, ":",
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
          log::Error(absl::StrCat(raw->options.name, "_io_thread_exception"),
                     {{"error", e.what()}});
        }
      }
    });
  }
  return std::unique_ptr<Server>(new Server(std::move(core)));
}

Server::~Server() { Stop(); }

int Server::port() const { return impl_->port; }

void Server::Stop() { Shutdown(std::chrono::milliseconds::zero()); }

void Server::Shutdown(std::chrono::milliseconds drain_timeout) {
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
    core->retry_timer.cancel();
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

}  // namespace integration::http
