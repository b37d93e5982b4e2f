// Trace context parsing/generation, request ids and CallContext.
#include "integration/grpc/call_context.h"

#include <grpcpp/server_context.h>
#include <openssl/rand.h>

#include <array>
#include <cstring>
#include <utility>

#include "absl/strings/ascii.h"
#include "integration/text/uuid.h"

namespace integration::grpc {
namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

// Random bytes from OpenSSL's CSPRNG: ids must not be guessable (request ids end up in audit
// rows) and need no shared generator state between threads.
template <size_t N>
std::array<unsigned char, N> RandomBytes() {
  std::array<unsigned char, N> bytes{};
  while (RAND_bytes(bytes.data(), static_cast<int>(N)) != 1) {
    // Only fails when the CSPRNG cannot be seeded; retrying is the only safe answer.
  }
  return bytes;
}

template <size_t N>
std::string Hex(const std::array<unsigned char, N>& bytes) {
  std::string out;
  out.reserve(2 * N);
  for (unsigned char b : bytes) {
    out.push_back(kHexDigits[b >> 4]);
    out.push_back(kHexDigits[b & 0xf]);
  }
  return out;
}

// W3C ids are lowercase hex only; uppercase makes the header invalid.
bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return !s.empty();
}

bool AllZero(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

int HexValue(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

// A random non-zero id of N bytes in hex.
template <size_t N>
std::string NonZeroId() {
  while (true) {
    std::string id = Hex(RandomBytes<N>());
    if (!AllZero(id)) return id;
  }
}

}  // namespace

std::optional<TraceContext> TraceContext::Parse(std::string_view traceparent) {
  // version(2) '-' trace-id(32) '-' parent-id(16) '-' flags(2) = 55 characters.
  constexpr size_t kV0Length = 55;
  if (traceparent.size() < kV0Length) return std::nullopt;
  std::string_view version = traceparent.substr(0, 2);
  if (!IsLowerHex(version) || version == "ff") return std::nullopt;
  if (version == "00" && traceparent.size() != kV0Length) return std::nullopt;
  // Later versions may append fields, always after another '-'.
  if (traceparent.size() > kV0Length && traceparent[kV0Length] != '-') return std::nullopt;
  if (traceparent[2] != '-' || traceparent[35] != '-' || traceparent[52] != '-')
    return std::nullopt;
  std::string_view trace_id = traceparent.substr(3, 32);
  std::string_view span_id = traceparent.substr(36, 16);
  std::string_view flags = traceparent.substr(53, 2);
  if (!IsLowerHex(trace_id) || !IsLowerHex(span_id) || !IsLowerHex(flags)) return std::nullopt;
  if (AllZero(trace_id) || AllZero(span_id)) return std::nullopt;
  TraceContext out;
  out.trace_id = std::string(trace_id);
  out.span_id = std::string(span_id);
  out.flags = static_cast<uint8_t>(HexValue(flags[0]) * 16 + HexValue(flags[1]));
  return out;
}

TraceContext TraceContext::NewRoot() {
  // Both ids from one draw: every call without a traceparent starts a trace, and each draw
  // takes the generator's lock.
  while (true) {
    const std::array<unsigned char, 24> bytes = RandomBytes<24>();
    std::array<unsigned char, 16> trace{};
    std::array<unsigned char, 8> span{};
    std::memcpy(trace.data(), bytes.data(), trace.size());
    std::memcpy(span.data(), bytes.data() + trace.size(), span.size());
    TraceContext out;
    out.trace_id = Hex(trace);
    out.span_id = Hex(span);
    if (!AllZero(out.trace_id) && !AllZero(out.span_id)) return out;
  }
}

TraceContext TraceContext::Child() const {
  TraceContext out;
  out.trace_id = trace_id;
  out.span_id = NonZeroId<8>();
  out.flags = flags;
  return out;
}

std::string TraceContext::ToTraceparent() const {
  std::string out = "00-";
  out.append(trace_id).append("-").append(span_id).append("-");
  out.push_back(kHexDigits[flags >> 4]);
  out.push_back(kHexDigits[flags & 0xf]);
  return out;
}

std::string NewRequestId() {
  while (true) {
    // Fails only when the system CSPRNG cannot be read; retrying is the only safe answer
    // (request ids end up in audit rows, so a guessable fallback would not do).
    absl::StatusOr<std::string> id = text::NewUuid();
    if (id.ok()) return *std::move(id);
  }
}

bool IsValidRequestId(std::string_view request_id) {
  if (request_id.empty() || request_id.size() > 128) return false;
  for (char c : request_id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != ':' &&
        c != '-') {
      return false;
    }
  }
  return true;
}

CallContext::CallContext(auth::Caller caller, std::string request_id, TraceContext trace,
                         absl::Time deadline, ::grpc::CallbackServerContext* server_context,
                         const google::protobuf::MethodDescriptor* method)
    : caller_(std::move(caller)),
      request_id_(std::move(request_id)),
      trace_(std::move(trace)),
      deadline_(deadline),
      server_context_(server_context),
      method_(method) {}

bool CallContext::cancelled() const {
  if (absl::Now() >= deadline_) return true;
  return server_context_ != nullptr && server_context_->IsCancelled();
}

}  // namespace integration::grpc
