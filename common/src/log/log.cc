// Structured JSON log lines: formatting, thread context and the process-wide sink.
#include "integration/log/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "integration/text/utf8.h"

namespace integration::log {
namespace {

// The process-wide logger: the one accepted mutable global. Settings and output have separate
// locks so that a slow sink never blocks SetService readers longer than needed.
struct Logger {
  absl::Mutex settings_mu;
  std::string service ABSL_GUARDED_BY(settings_mu);
  std::atomic<int> min_level{static_cast<int>(Level::kInfo)};

  // Held while one line is emitted, so lines never interleave and test sinks need no lock.
  absl::Mutex out_mu;
  std::function<void(std::string_view)> sink ABSL_GUARDED_BY(out_mu);
};

Logger& TheLogger() {
  // Never destroyed (the union's destructor does nothing): detached threads may still log
  // while static destructors run at exit.
  union Storage {
    Storage() : logger() {}
    ~Storage() {}
    Logger logger;
  };
  static Storage storage;
  return storage.logger;
}

thread_local std::string tls_request_id;
thread_local std::string tls_trace_id;

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

// Keys the line itself uses; a field with one of these names is renamed, not duplicated.
bool IsReservedKey(std::string_view key) {
  return key == "ts" || key == "level" || key == "service" || key == "event" ||
         key == "request_id" || key == "trace_id";
}

// `s` as a JSON string literal. Invalid UTF-8 is first replaced byte by byte with U+FFFD
// (text::ToValidUtf8) so the line stays valid and the damage visible; then quotes, backslashes
// and control characters are escaped (the short forms \b \f \n \r \t where JSON has them,
// \u00xx otherwise) and UTF-8 is kept as it is. DEL, which JSON allows raw, is written \u007f
// so that a terminal showing the log does not act on it. Written by hand rather than through a
// JSON library: every call's access line goes through here, and a library's value object and
// its allocations per string were a visible part of a call's CPU.
void AppendString(std::string& out, std::string_view s) {
  std::string repaired;
  if (!integration::text::IsValidUtf8(s)) {
    repaired = integration::text::ToValidUtf8(s);
    s = repaired;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case 0x7f:
        out.append("\\u007f");
        break;
      default:
        if (c < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

// "2026-12-08T01:27:47.322Z": milliseconds truncated, as absl's %E3S writes them. The part up
// to the seconds is formatted once per second and thread, since time zone formatting costs
// more than the rest of a line.
void AppendTimestamp(std::string& out, absl::Time now) {
  thread_local int64_t cached_second = INT64_MIN;
  thread_local std::string cached_prefix;
  const int64_t millis = absl::ToUnixMillis(now);  // rounds toward the past
  int64_t second = millis / 1000;
  int64_t milli = millis % 1000;
  if (milli < 0) {
    milli += 1000;
    --second;
  }
  if (second != cached_second) {
    cached_prefix =
        absl::FormatTime("%Y-%m-%dT%H:%M:%S", absl::FromUnixSeconds(second), absl::UTCTimeZone());
    cached_second = second;
  }
  out.push_back('"');
  out.append(cached_prefix);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + milli / 100));
  out.push_back(static_cast<char>('0' + milli / 10 % 10));
  out.push_back(static_cast<char>('0' + milli % 10));
  out.append("Z\"");
}

void AppendDouble(std::string& out, double d) {
  if (!std::isfinite(d)) {
    // JSON has no NaN/Infinity literals.
    AppendString(out, std::isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"));
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  if (ec != std::errc()) {
    AppendString(out, "unformattable");
    return;
  }
  out.append(buf, end);
}

void AppendField(std::string& out, std::string_view key, const Value& value) {
  out.push_back(',');
  AppendString(out, IsReservedKey(key) ? std::string("field_").append(key) : std::string(key));
  out.push_back(':');
  if (IsSecretKey(key)) {
    AppendString(out, "[REDACTED]");
    return;
  }
  switch (value.kind()) {
    case Value::Kind::kString:
      AppendString(out, Redact(value.str()));
      break;
    case Value::Kind::kBool:
      out.append(value.integer() != 0 ? "true" : "false");
      break;
    case Value::Kind::kInt: {
      // A number can be a personnummer too (e.g. an id column holding one).
      std::string digits = absl::StrCat(value.integer());
      std::string redacted = Redact(digits);
      if (redacted == digits) {
        out.append(digits);
      } else {
        AppendString(out, redacted);
      }
      break;
    }
    case Value::Kind::kDouble:
      AppendDouble(out, value.dbl());
      break;
  }
}

void WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // Nowhere left to report a failing stderr.
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

void Write(Level level, std::string_view event, Fields fields) {
  Logger& logger = TheLogger();
  if (static_cast<int>(level) < logger.min_level.load(std::memory_order_relaxed)) return;

  std::string line;
  line.reserve(256);
  line.append("{\"ts\":");
  AppendTimestamp(line, absl::Now());
  line.append(",\"level\":");
  AppendString(line, LevelName(level));
  line.append(",\"service\":");
  {
    absl::ReaderMutexLock lock(&logger.settings_mu);
    AppendString(line, logger.service);
  }
  line.append(",\"event\":");
  AppendString(line, Redact(event));
  line.append(",\"request_id\":");
  AppendString(line, Redact(tls_request_id));
  if (!tls_trace_id.empty()) {
    line.append(",\"trace_id\":");
    AppendString(line, Redact(tls_trace_id));
  }
  for (const auto& [key, value] : fields) AppendField(line, key, value);
  line.append("}\n");

  absl::MutexLock lock(&logger.out_mu);
  if (logger.sink) {
    logger.sink(std::string_view(line).substr(0, line.size() - 1));
  } else {
    WriteAll(STDERR_FILENO, line);
  }
}

ScopedContext::ScopedContext(std::string request_id, std::string trace_id)
    : prev_request_id_(std::exchange(tls_request_id, std::move(request_id))),
      prev_trace_id_(std::exchange(tls_trace_id, std::move(trace_id))) {}

ScopedContext::~ScopedContext() {
  tls_request_id = std::move(prev_request_id_);
  tls_trace_id = std::move(prev_trace_id_);
}

const std::string& ScopedContext::request_id() { return tls_request_id; }
const std::string& ScopedContext::trace_id() { return tls_trace_id; }

void SetService(std::string_view service) {
  Logger& logger = TheLogger();
  absl::MutexLock lock(&logger.settings_mu);
  logger.service = std::string(service);
}

void SetMinLevel(Level level) {
  TheLogger().min_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

void SetSinkForTesting(std::function<void(std::string_view line)> sink) {
  Logger& logger = TheLogger();
  absl::MutexLock lock(&logger.out_mu);
  logger.sink = std::move(sink);
}

}  // namespace integration::log
