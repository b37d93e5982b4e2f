// Structured logging: one JSON object per line on stderr, with request and trace ids, redacted.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace integration::log {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// One field value of a log line. Strings are redacted (see Redact) before they are written.
class Value {
 public:
  Value(std::string_view s) : kind_(Kind::kString), str_(s) {}
  Value(const char* s) : kind_(Kind::kString), str_(s) {}
  Value(const std::string& s) : kind_(Kind::kString), str_(s) {}
  Value(bool b) : kind_(Kind::kBool), int_(b) {}
  Value(int i) : kind_(Kind::kInt), int_(i) {}
  Value(long i) : kind_(Kind::kInt), int_(i) {}
  Value(long long i) : kind_(Kind::kInt), int_(i) {}
  Value(unsigned i) : kind_(Kind::kInt), int_(i) {}
  Value(unsigned long i) : kind_(Kind::kInt), int_(static_cast<int64_t>(i)) {}
  Value(double d) : kind_(Kind::kDouble), dbl_(d) {}

  enum class Kind { kString, kBool, kInt, kDouble };
  Kind kind() const { return kind_; }
  std::string_view str() const { return str_; }
  int64_t integer() const { return int_; }
  double dbl() const { return dbl_; }

 private:
  Kind kind_;
  std::string_view str_;
  int64_t int_ = 0;
  double dbl_ = 0;
};

using Fields = std::initializer_list<std::pair<std::string_view, Value>>;

// Writes one line: {"ts":"…","level":"info","service":"…","event":"…","request_id":"…",
// "trace_id":"…", <fields…>}. request_id/trace_id come from the thread's ScopedContext.
void Write(Level level, std::string_view event, Fields fields = {});
inline void Debug(std::string_view event, Fields fields = {}) {
  Write(Level::kDebug, event, fields);
}
inline void Info(std::string_view event, Fields fields = {}) { Write(Level::kInfo, event, fields); }
inline void Warn(std::string_view event, Fields fields = {}) {
  Write(Level::kWarning, event, fields);
}
inline void Error(std::string_view event, Fields fields = {}) {
  Write(Level::kError, event, fields);
}

// Request id and trace id attached to every line written by this thread while it lives.
// Nested scopes restore the outer values on destruction.
class ScopedContext {
 public:
  ScopedContext(std::string request_id, std::string trace_id);
  ~ScopedContext();
  ScopedContext(const ScopedContext&) = delete;
  ScopedContext& operator=(const ScopedContext&) = delete;

  static const std::string& request_id();
  static const std::string& trace_id();

 private:
  std::string prev_request_id_;
  std::string prev_trace_id_;
};

// Replaces what must never reach a log: personal identity / coordination numbers (10 or 12
// digits with optional '-'/'+'), JWTs and bearer tokens, and values of keys that look like
// secrets (password, token, secret, authorization). Applied to every string field.
std::string Redact(std::string_view text);
// Whether a field named `key` holds a secret or personal data whatever its value looks like
// (personnummer, pnr, token, password, secret, authorization, api key); its value is logged
// as "[REDACTED]".
bool IsSecretKey(std::string_view key);

// Process-wide settings, set once at start-up by the server runtime.
void SetService(std::string_view service);
void SetMinLevel(Level level);
// Replaces the output (stderr by default); tests capture lines with it. Pass nullptr to reset.
void SetSinkForTesting(std::function<void(std::string_view line)> sink);

}  // namespace integration::log
