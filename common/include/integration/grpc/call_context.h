// What a handler knows about the call it serves: caller, request id, trace, deadline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "integration/auth/auth.h"
#include "integration/grpc/names.h"  // keeps grpc:: meaning gRPC; see there

namespace integration::grpc {

// Metadata keys the runtime reads and writes.
inline constexpr std::string_view kRequestIdHeader = "x-request-id";
inline constexpr std::string_view kTraceparentHeader = "traceparent";
inline constexpr std::string_view kAuthorizationHeader = "authorization";

// A W3C Trace Context position (https://www.w3.org/TR/trace-context/): the trace a call
// belongs to and the span that is current.
struct TraceContext {
  std::string trace_id;  // 32 lowercase hex digits, not all zero
  std::string span_id;   // 16 lowercase hex digits, not all zero
  uint8_t flags = 0;     // bit 0: sampled

  // Parses a `traceparent` value ("00-<trace-id>-<parent-id>-<flags>"); nullopt when it is
  // malformed, uses version ff or all-zero ids. Future versions are read by their version-00
  // prefix, as the specification asks.
  static std::optional<TraceContext> Parse(std::string_view traceparent);
  // A new trace with random ids (no sampling decision of its own).
  static TraceContext NewRoot();
  // The same trace and flags with a new span id: the span of the next hop.
  TraceContext Child() const;
  // The version-00 `traceparent` value.
  std::string ToTraceparent() const;
};

// A new random (version 4) UUID in its canonical lowercase form.
std::string NewRequestId();
// Whether a client-supplied request id may be used as is: 1 to 128 characters of
// [A-Za-z0-9._:-], so that it cannot break log lines or headers.
bool IsValidRequestId(std::string_view request_id);

// Handed to every handler by Serve(). Cheap to read from any thread; lives until the handler
// returns.
class CallContext {
 public:
  // `server_context` and `method` are null outside a gRPC call (tests, background jobs that
  // call other services on behalf of a caller).
  CallContext(auth::Caller caller, std::string request_id, TraceContext trace, absl::Time deadline,
              ::grpc::CallbackServerContext* server_context = nullptr,
              const google::protobuf::MethodDescriptor* method = nullptr);

  // The verified caller; `authenticated` is false for calls without a token.
  const auth::Caller& caller() const { return caller_; }
  // The client's x-request-id when valid, a new UUID otherwise; echoed to the client.
  const std::string& request_id() const { return request_id_; }
  const std::string& trace_id() const { return trace_.trace_id; }
  // The trace position of this server's span (span_id is ours, not the client's).
  const TraceContext& trace() const { return trace_; }
  // When the answer is due: the client's deadline capped by the server's maximum, or the
  // server's default when the client sent none.
  absl::Time deadline() const { return deadline_; }
  // Time left until deadline(); zero or negative once it passed.
  absl::Duration remaining() const { return deadline_ - absl::Now(); }
  // The client cancelled or the deadline passed. Long handlers check it between steps.
  bool cancelled() const;
  const google::protobuf::MethodDescriptor* method() const { return method_; }
  // The raw gRPC context, for what the runtime does not cover (peer, auth context).
  ::grpc::CallbackServerContext* server_context() const { return server_context_; }

 private:
  auth::Caller caller_;
  std::string request_id_;
  TraceContext trace_;
  absl::Time deadline_;
  ::grpc::CallbackServerContext* server_context_;
  const google::protobuf::MethodDescriptor* method_;
};

}  // namespace integration::grpc
