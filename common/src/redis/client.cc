// Client: a bounded pool of synchronous hiredis connections, opened lazily, checked before
// reuse and discarded when broken, so a Redis restart costs callers at most one failed call.
#include "integration/redis/client.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/time.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/memory/memory.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "integration/log/log.h"
#include "integration/status/status.h"

namespace integration::redis {
namespace {

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

constexpr std::string_view kRedisErrorKey = "redis_error";

timeval ToTimeval(std::chrono::milliseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

Reply Convert(const redisReply* r) {
  switch (r->type) {
    case REDIS_REPLY_STRING:
      return Reply::String(std::string(r->str, r->len));
    case REDIS_REPLY_STATUS:
      return Reply::Status(std::string(r->str, r->len));
    case REDIS_REPLY_ERROR:
      return Reply::Error(std::string(r->str, r->len));
    case REDIS_REPLY_INTEGER:
      return Reply::Integer(r->integer);
    case REDIS_REPLY_ARRAY: {
      std::vector<Reply> elements;
      elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) elements.push_back(Convert(r->element[i]));
      return Reply::Array(std::move(elements));
    }
    case REDIS_REPLY_NIL:
    default:
      return Reply::Nil();
  }
}

// A top-level error reply becomes a status the caller can branch on by its first word.
absl::Status ErrorReplyStatus(const std::string& text) {
  std::string_view first_word = text;
  if (size_t space = first_word.find(' '); space != std::string_view::npos) {
    first_word = first_word.substr(0, space);
  }
  return status::FailedPrecondition(kReasonError, text,
                                    {{std::string(kRedisErrorKey), std::string(first_word)}});
}

absl::StatusOr<Reply> ToStatusOr(Reply reply) {
  if (reply.is_error()) return ErrorReplyStatus(reply.str());
  return reply;
}

// An idle connection must have nothing to read: readability means the server closed it (EOF,
// e.g. after CLIENT KILL, timeout or restart) or sent something unexpected; either way it
// cannot be trusted with the next command. Checked without sending anything, so a command is
// never retried and non-idempotent commands never run twice.
bool IdleConnectionLooksAlive(const redisContext* c) {
  if (c->err != 0) return false;
  pollfd pfd{};
  pfd.fd = c->fd;
  pfd.events = POLLIN;
  int n = ::poll(&pfd, 1, 0);
  return n == 0;
}

}  // namespace

struct Client::Impl {
  explicit Impl(ClientOptions o) : options(std::move(o)) {}

  // A checked-out connection; returns it to the pool on destruction unless marked broken.
  class Lease {
   public:
    Lease(Impl* impl, ContextPtr ctx) : impl_(impl), ctx_(std::move(ctx)) {}
    Lease(Lease&& other) noexcept
        : impl_(other.impl_), ctx_(std::move(other.ctx_)), broken_(other.broken_) {
      other.impl_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (impl_ != nullptr) impl_->Release(std::move(ctx_), broken_);
    }
    redisContext* get() const { return ctx_.get(); }
    void MarkBroken() { broken_ = true; }

   private:
    Impl* impl_;
    ContextPtr ctx_;
    bool broken_ = false;
  };

  absl::StatusOr<Lease> Acquire() {
    const absl::Time deadline = absl::Now() + absl::FromChrono(options.acquire_timeout);
    while (true) {
      mu.Lock();
      auto can_proceed = [this]() { return !idle.empty() || open < options.pool_size; };
      if (!mu.AwaitWithDeadline(absl::Condition(&can_proceed), deadline)) {
        ++acquire_timeouts;
        mu.Unlock();
        return status::Unavailable(
            kReasonPoolExhausted,
            absl::StrCat("no redis connection free within ", options.acquire_timeout.count(),
                         " ms (pool size ", options.pool_size, ")"));
      }
      ++in_use;
      if (!idle.empty()) {
        ContextPtr ctx = std::move(idle.back());
        idle.pop_back();
        mu.Unlock();
        if (IdleConnectionLooksAlive(ctx.get())) return Lease(this, std::move(ctx));
        log::Info("redis_connection_discarded", {{"reason", "closed while idle"}});
        ctx.reset();
        absl::MutexLock lock(&mu);
        --in_use;
        --open;
        NoteBroken();
        continue;
      }
      ++open;
      mu.Unlock();
      absl::StatusOr<ContextPtr> ctx = Connect();
      absl::MutexLock lock(&mu);
      if (!ctx.ok()) {
        --in_use;
        --open;
        ++connect_failures;
        if (!reported_down) {
          reported_down = true;
          log::Warn("redis_unavailable", {{"error", std::string(ctx.status().message())}});
        }
        return ctx.status();
      }
      ++connects;
      if (pending_replacements > 0) {
        --pending_replacements;
        ++reconnects;
      }
      if (reported_down) {
        reported_down = false;
        log::Info("redis_available", {{"host", options.host}, {"port", options.port}});
      }
      return Lease(this, *std::move(ctx));
    }
  }

  // Counts a discarded connection as one to be replaced (at most one per pool slot, so that a
  // long outage does not inflate the reconnect count).
  void NoteBroken() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    pending_replacements = std::min<int64_t>(pending_replacements + 1, options.pool_size);
  }

  // A broken connection is closed (ctx freed) and its slot freed for a new connection.
  void Release(ContextPtr ctx, bool broken) {
    absl::MutexLock lock(&mu);
    --in_use;
    if (broken || ctx == nullptr || ctx->err != 0) {
      --open;
      NoteBroken();
      return;
    }
    idle.push_back(std::move(ctx));
  }

  absl::StatusOr<ContextPtr> Connect() {
    const std::string where = absl::StrCat(options.host, ":", options.port);
    ContextPtr c(redisConnectWithTimeout(options.host.c_str(), options.port,
                                         ToTimeval(options.connect_timeout)));
    if (c == nullptr) {
      return status::Unavailable(kReasonUnavailable, absl::StrCat("cannot connect to redis at ",
                                                                  where, ": out of memory"));
    }
    if (c->err != 0) {
      return status::Unavailable(
          kReasonUnavailable, absl::StrCat("cannot connect to redis at ", where, ": ", c->errstr));
    }
    if (redisSetTimeout(c.get(), ToTimeval(options.command_timeout)) != REDIS_OK) {
      return status::Unavailable(kReasonUnavailable,
                                 absl::StrCat("cannot set the redis command timeout: ", c->errstr));
    }
    if (options.password.has_value()) {
      std::vector<std::string> auth = {"AUTH"};
      if (options.username.has_value()) auth.push_back(*options.username);
      auth.push_back(*options.password);
      absl::Status st = Setup(c.get(), auth, "AUTH");
      if (!st.ok()) return st;
    }
    if (options.db != 0) {
      absl::Status st = Setup(c.get(), {"SELECT", absl::StrCat(options.db)}, "SELECT");
      if (!st.ok()) return st;
    }
    return c;
  }

  // A connection whose AUTH or SELECT is refused is as useless to callers as an unreachable
  // server, so it is reported the same way (with the server's reason, never the password).
  absl::Status Setup(redisContext* c, const std::vector<std::string>& args,
                     absl::string_view what) {
    absl::StatusOr<Reply> r = Send(c, args);
    if (!r.ok()) return r.status();
    if (r->is_error()) {
      return status::Unavailable(kReasonUnavailable,
                                 absl::StrCat("redis refused ", what, ": ", r->str()));
    }
    return absl::OkStatus();
  }

  // One command on one context. An error reply is returned as Reply::Error; a status only
  // means the connection failed (and must be discarded).
  static absl::StatusOr<Reply> Send(redisContext* c, const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    argv.reserve(args.size());
    lens.reserve(args.size());
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    ReplyPtr r(static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())));
    if (r == nullptr) return ConnectionFailure(c, args.empty() ? "" : args[0]);
    return Convert(r.get());
  }

  static absl::Status ConnectionFailure(const redisContext* c, absl::string_view command) {
    std::string why = c->err != 0 ? c->errstr : "no reply";
    if (c->err == REDIS_ERR_IO && absl::StrContains(why, "temporarily unavailable")) {
      why = "timed out";  // SO_RCVTIMEO/SO_SNDTIMEO expiry surfaces as EAGAIN
    }
    return status::Unavailable(kReasonUnavailable,
                               absl::StrCat("redis ", command, " failed: ", why));
  }

  // Runs `args` on a pooled connection, discarding the connection when it fails.
  absl::StatusOr<Reply> Run(const std::vector<std::string>& args) {
    absl::StatusOr<Lease> lease = Acquire();
    if (!lease.ok()) return lease.status();
    absl::StatusOr<Reply> r = Send(lease->get(), args);
    if (!r.ok()) lease->MarkBroken();
    return r;
  }

  const ClientOptions options;
  mutable absl::Mutex mu;
  std::vector<ContextPtr> idle ABSL_GUARDED_BY(mu);
  int open ABSL_GUARDED_BY(mu) = 0;
  int in_use ABSL_GUARDED_BY(mu) = 0;
  int64_t connects ABSL_GUARDED_BY(mu) = 0;
  int64_t connect_failures ABSL_GUARDED_BY(mu) = 0;
  int64_t reconnects ABSL_GUARDED_BY(mu) = 0;
  int64_t acquire_timeouts ABSL_GUARDED_BY(mu) = 0;
  // Broken connections not yet replaced; the next successful connects count as reconnects.
  int64_t pending_replacements ABSL_GUARDED_BY(mu) = 0;
  // Whether the last connection attempt failed; logs once per outage, not once per call.
  bool reported_down ABSL_GUARDED_BY(mu) = false;
};

absl::StatusOr<std::unique_ptr<Client>> Client::Create(ClientOptions options) {
  status::FieldErrors errors;
  if (options.host.empty()) errors.Add("host", "must not be empty");
  if (options.port < 1 || options.port > 65535) errors.Add("port", "must be in 1..65535");
  if (options.db < 0) errors.Add("db", "must not be negative");
  if (options.pool_size < 1) errors.Add("pool_size", "must be at least 1");
  if (options.connect_timeout.count() <= 0) errors.Add("connect_timeout", "must be positive");
  if (options.command_timeout.count() <= 0) errors.Add("command_timeout", "must be positive");
  if (options.acquire_timeout.count() <= 0) errors.Add("acquire_timeout", "must be positive");
  if (options.username.has_value() && !options.password.has_value()) {
    errors.Add("password", "must be set when username is set");
  }
  if (absl::Status st = errors.ToStatus(); !st.ok()) return st;
  return absl::WrapUnique(new Client(std::make_unique<Impl>(std::move(options))));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

absl::StatusOr<Reply> Client::Command(const std::vector<std::string>& args) {
  if (args.empty()) {
    return status::InvalidField("args", "a redis command needs at least its name");
  }
  absl::StatusOr<Reply> r = impl_->Run(args);
  if (!r.ok()) return r.status();
  return ToStatusOr(*std::move(r));
}

absl::StatusOr<std::vector<Reply>> Client::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  for (const auto& args : commands) {
    if (args.empty()) {
      return status::InvalidField("commands", "every redis command needs at least its name");
    }
  }
  if (commands.empty()) return std::vector<Reply>();
  absl::StatusOr<Impl::Lease> lease = impl_->Acquire();
  if (!lease.ok()) return lease.status();
  redisContext* c = lease->get();
  for (const auto& args : commands) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()) !=
        REDIS_OK) {
      lease->MarkBroken();
      return Impl::ConnectionFailure(c, args[0]);
    }
  }
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  for (const auto& args : commands) {
    void* raw = nullptr;
    if (redisGetReply(c, &raw) != REDIS_OK || raw == nullptr) {
      if (raw != nullptr) freeReplyObject(raw);
      lease->MarkBroken();
      return Impl::ConnectionFailure(c, args[0]);
    }
    ReplyPtr r(static_cast<redisReply*>(raw));
    replies.push_back(Convert(r.get()));
  }
  return replies;
}

absl::StatusOr<Reply> Client::EvalSha(const Script& script, const std::vector<std::string>& keys,
                                      const std::vector<std::string>& args) {
  std::vector<std::string> call;
  call.reserve(3 + keys.size() + args.size());
  call.push_back("EVALSHA");
  call.push_back(script.sha1());
  call.push_back(absl::StrCat(keys.size()));
  call.insert(call.end(), keys.begin(), keys.end());
  call.insert(call.end(), args.begin(), args.end());

  absl::StatusOr<Impl::Lease> lease = impl_->Acquire();
  if (!lease.ok()) return lease.status();
  absl::StatusOr<Reply> r = Impl::Send(lease->get(), call);
  if (!r.ok()) {
    lease->MarkBroken();
    return r.status();
  }
  if (!r->is_error() || !absl::StartsWith(r->str(), "NOSCRIPT")) return ToStatusOr(*std::move(r));

  // The server's script cache is empty after a restart or SCRIPT FLUSH: load and retry once,
  // with the SHA the server reports (the same as ours unless hashing failed locally).
  absl::StatusOr<Reply> loaded = Impl::Send(lease->get(), {"SCRIPT", "LOAD", script.source()});
  if (!loaded.ok()) {
    lease->MarkBroken();
    return loaded.status();
  }
  if (loaded->is_error()) return ErrorReplyStatus(loaded->str());
  log::Info("redis_script_loaded", {{"sha1", loaded->str()}});
  call[1] = loaded->str();
  r = Impl::Send(lease->get(), call);
  if (!r.ok()) {
    lease->MarkBroken();
    return r.status();
  }
  return ToStatusOr(*std::move(r));
}

absl::Status Client::Ping() {
  absl::StatusOr<Reply> r = Command({"PING"});
  if (!r.ok()) return r.status();
  if (!r->is_status() || r->str() != "PONG") {
    return status::Unavailable(kReasonUnavailable,
                               absl::StrCat("unexpected PING reply: ", r->DebugString()));
  }
  return absl::OkStatus();
}

ClientStats Client::Stats() const {
  absl::MutexLock lock(&impl_->mu);
  ClientStats s;
  s.size = impl_->options.pool_size;
  s.open = impl_->open;
  s.in_use = impl_->in_use;
  s.connects = impl_->connects;
  s.connect_failures = impl_->connect_failures;
  s.reconnects = impl_->reconnects;
  s.acquire_timeouts = impl_->acquire_timeouts;
  return s;
}

const ClientOptions& Client::options() const { return impl_->options; }

bool IsRedisError(const absl::Status& status, std::string_view prefix) {
  if (status.code() != absl::StatusCode::kFailedPrecondition) return false;
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(status);
  if (!info.has_value() || info->reason() != kReasonError) return false;
  auto it = info->metadata().find(std::string(kRedisErrorKey));
  return it != info->metadata().end() && it->second == prefix;
}

}  // namespace integration::redis
