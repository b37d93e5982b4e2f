// A thread-safe pool of synchronous hiredis connections with bounded connect, command and
// acquire times, owned reply values and Lua scripts called by SHA with NOSCRIPT reloading.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace integration::redis {

// Reasons in the ErrorInfo of the statuses returned by Client.
inline constexpr std::string_view kReasonUnavailable = "REDIS_UNAVAILABLE";       // UNAVAILABLE
inline constexpr std::string_view kReasonPoolExhausted = "REDIS_POOL_EXHAUSTED";  // UNAVAILABLE
inline constexpr std::string_view kReasonError = "REDIS_ERROR";  // FAILED_PRECONDITION

struct ClientOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::optional<std::string> username;  // ACL user; AUTH <password> alone when unset
  std::optional<std::string> password;
  int db = 0;         // SELECTed on every new connection when not 0
  int pool_size = 4;  // maximum open connections
  std::chrono::milliseconds connect_timeout{500};
  // Bounds every socket read and write of a command; a blocking command (XREADGROUP BLOCK,
  // BLPOP) must block for less than this.
  std::chrono::milliseconds command_timeout{1000};
  // How long a call waits for a free connection when all pool_size are in use.
  std::chrono::milliseconds acquire_timeout{1000};
};

// One reply, converted eagerly from hiredis and owning its data. Error replies appear here only
// nested (in an array: EXEC results, pipelines); a top-level error reply is returned by Client
// as a FAILED_PRECONDITION status instead.
class Reply {
 public:
  enum class Type { kNil, kInteger, kString, kStatus, kError, kArray };

  Reply() = default;  // nil
  static Reply Nil() { return Reply(); }
  static Reply Integer(int64_t value);
  static Reply String(std::string value);
  static Reply Status(std::string value);
  static Reply Error(std::string value);
  static Reply Array(std::vector<Reply> elements);

  Type type() const { return type_; }
  bool is_nil() const { return type_ == Type::kNil; }
  bool is_integer() const { return type_ == Type::kInteger; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_status() const { return type_ == Type::kStatus; }
  bool is_error() const { return type_ == Type::kError; }
  bool is_array() const { return type_ == Type::kArray; }

  // 0 unless is_integer().
  int64_t integer() const { return integer_; }
  // The bytes of a string, status or error reply (binary safe); empty otherwise.
  const std::string& str() const { return str_; }
  // The elements of an array reply; empty otherwise.
  const std::vector<Reply>& elements() const { return elements_; }

  // Debug rendering, e.g. [1, "a", nil]; string bytes are shown escaped.
  std::string DebugString() const;

  friend bool operator==(const Reply& a, const Reply& b);

 private:
  Type type_ = Type::kNil;
  int64_t integer_ = 0;
  std::string str_;
  std::vector<Reply> elements_;
};

// A Lua script with its SHA1 (lowercase hex), computed locally so EVALSHA can be tried first.
class Script {
 public:
  explicit Script(std::string source);
  const std::string& source() const { return source_; }
  const std::string& sha1() const { return sha1_; }

 private:
  std::string source_;
  std::string sha1_;
};

struct ClientStats {
  int size = 0;                  // configured pool size
  int open = 0;                  // connections currently open
  int in_use = 0;                // connections checked out
  int64_t connects = 0;          // connections opened successfully, ever
  int64_t connect_failures = 0;  // connection attempts that failed
  int64_t reconnects = 0;        // connections opened to replace a discarded broken one
  int64_t acquire_timeouts = 0;
};

class Client {
 public:
  // Validates the options; connects lazily, so this succeeds while Redis is down.
  static absl::StatusOr<std::unique_ptr<Client>> Create(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Runs one command; every argument is sent binary safe. Errors:
  //  - UNAVAILABLE, reason REDIS_UNAVAILABLE: cannot connect, connection lost, or timed out
  //    (after at most connect_timeout + command_timeout); the connection is discarded and a
  //    new one opened by a later call.
  //  - UNAVAILABLE, reason REDIS_POOL_EXHAUSTED: no connection free within acquire_timeout.
  //  - FAILED_PRECONDITION, reason REDIS_ERROR: the server answered with an error reply; the
  //    message is the reply text ("WRONGTYPE …", "BUSYGROUP …") and ErrorInfo metadata
  //    "redis_error" holds its first word (see IsRedisError).
  //  - INVALID_ARGUMENT: no arguments.
  absl::StatusOr<Reply> Command(const std::vector<std::string>& args);

  // Sends several commands in one round trip on one connection. Error replies of single
  // commands are returned as Reply::Error elements; the status fails only as Command does
  // for connection problems (then none, some or all of the commands may have run).
  absl::StatusOr<std::vector<Reply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);

  // EVALSHA script.sha1 numkeys keys… args…; on NOSCRIPT the script is loaded (SCRIPT LOAD)
  // and the call retried once.
  absl::StatusOr<Reply> EvalSha(const Script& script, const std::vector<std::string>& keys,
                                const std::vector<std::string>& args);

  // PING; OK when the server answered PONG. Used by health checks.
  absl::Status Ping();

  ClientStats Stats() const;
  const ClientOptions& options() const;

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// True when `status` came from an error reply of the server whose first word is `prefix`
// (e.g. "BUSYGROUP", "NOSCRIPT", "WRONGTYPE").
bool IsRedisError(const absl::Status& status, std::string_view prefix);

}  // namespace integration::redis
