// Calls from one service to another (an "upstream"): the channel, the service's own token, the
// caller's deadline capped by the upstream's timeout, the request id and trace carried along,
// retries only of the methods declared safe, a circuit breaker, and metrics per upstream.
// Every service-to-service client of the suite is built on it.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "integration/grpc/circuit_breaker.h"
#include "integration/grpc/client.h"
#include "integration/grpc/names.h"  // keeps grpc:: meaning gRPC; see there

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
}  // namespace prometheus

namespace integration::metrics {
class Metrics;
}  // namespace integration::metrics

namespace integration::grpc {

class CallContext;

struct UpstreamOptions {
  // The upstream's stem ("grants"): metric label, log field, ErrorInfo metadata "upstream".
  std::string name;
  // "host:port" or a gRPC target URI.
  std::string target;
  // TLS and the methods gRPC may retry on UNAVAILABLE: only reads and calls that are
  // idempotent by request id belong there.
  ChannelOptions channel;
  // The longest a call may take; a caller's earlier deadline (minus kDeadlineMargin) wins.
  std::chrono::milliseconds timeout{2000};
  CircuitBreakerOptions breaker;
  // ErrorInfo reason of the UNAVAILABLE the client answers when the upstream is down, slow or
  // its circuit open, e.g. "FUNDING_CHECK_UNAVAILABLE".
  std::string unavailable_reason;
  // The service's own bearer token (auth::ServiceTokenSource::Token); required: calls never
  // forward the end user's token, so the upstream's policy names the calling service.
  std::function<absl::StatusOr<std::string>()> token;
  // Where grpc_client_* and upstream_circuit_* metrics go; null: none recorded.
  std::shared_ptr<metrics::Metrics> metrics;
};

// Thread-safe; one per upstream and process.
class Upstream {
 public:
  // INVALID_ARGUMENT for a missing name, target, reason or token source, or a bad retry
  // method; FAILED_PRECONDITION for an unreadable TLS file. Connecting is lazy.
  static absl::StatusOr<std::unique_ptr<Upstream>> Create(UpstreamOptions options);
  ~Upstream();

  const std::shared_ptr<::grpc::Channel>& channel() const { return channel_; }
  const UpstreamOptions& options() const { return options_; }
  CircuitBreaker::State circuit_state() const { return breaker_.state(); }

  // One unary call: `invoke(context)` runs the generated stub's blocking method with the
  // prepared context. `method` is "/pkg.Service/Method" (metric label). `parent` is the call
  // being served (null for background work). Results:
  //   - the upstream's answer, kept as is (ErrorInfo and BadRequest details included), for OK
  //     and for the upstream's own refusals (INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED ...);
  //   - UNAVAILABLE with unavailable_reason (metadata upstream, cause) when the circuit is
  //     open, the upstream is unreachable or answers UNAVAILABLE/INTERNAL/UNKNOWN, or it took
  //     the whole timeout;
  //   - DEADLINE_EXCEEDED with unavailable_reason when the parent's deadline ran out first
  //     (such a call says nothing about the upstream's health and is not counted against it);
  //   - INTERNAL when the service's token cannot be signed.
  absl::Status Call(const CallContext* parent, std::string_view method,
                    const std::function<::grpc::Status(::grpc::ClientContext*)>& invoke);

  // The same over a generated stub method:
  //   upstream.Call(&call, &Stub::CheckFunding, stub.get(), path, request, &response).
  template <class Stub, class Req, class Resp>
  absl::Status Call(const CallContext* parent,
                    ::grpc::Status (Stub::*rpc)(::grpc::ClientContext*, const Req&, Resp*),
                    Stub* stub, std::string_view method, const Req& request, Resp* response) {
    return Call(parent, method, [&](::grpc::ClientContext* context) {
      return (stub->*rpc)(context, request, response);
    });
  }

 private:
  struct MethodMetrics {
    prometheus::Histogram* latency = nullptr;
    std::map<std::string, prometheus::Counter*, std::less<>> by_code;
  };

  Upstream(UpstreamOptions options, std::shared_ptr<::grpc::Channel> channel);
  absl::Status Unavailable(std::string_view cause, absl::StatusCode code) const;
  void Record(std::string_view method, std::string_view code, double seconds);
  void NoteState(CircuitBreaker::State before);

  const UpstreamOptions options_;
  const std::shared_ptr<::grpc::Channel> channel_;
  CircuitBreaker breaker_;
  prometheus::Gauge* open_gauge_ = nullptr;
  prometheus::Counter* rejected_ = nullptr;
  absl::Mutex mu_;
  std::map<std::string, MethodMetrics, std::less<>> methods_ ABSL_GUARDED_BY(mu_);
};

}  // namespace integration::grpc
