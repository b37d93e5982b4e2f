// The service-to-service call: token, deadline, breaker, error mapping and metrics.
#include "integration/grpc/upstream.h"

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "integration/grpc/call_context.h"
#include "integration/log/log.h"
#include "integration/metrics/metrics.h"
#include "integration/status/status.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"

namespace integration::grpc {
namespace {

constexpr std::string_view kCircuitOpen = "circuit open";

// Answers that say the upstream itself is unwell (as opposed to refusing this request).
bool IsUpstreamFailure(::grpc::StatusCode code) {
  return code == ::grpc::StatusCode::UNAVAILABLE || code == ::grpc::StatusCode::INTERNAL ||
         code == ::grpc::StatusCode::UNKNOWN;
}

std::string_view StateName(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::kClosed:
      return "closed";
    case CircuitBreaker::State::kOpen:
      return "open";
    case CircuitBreaker::State::kHalfOpen:
      return "half-open";
  }
  return "unknown";
}

}  // namespace

absl::StatusOr<std::unique_ptr<Upstream>> Upstream::Create(UpstreamOptions options) {
  if (options.name.empty()) return absl::InvalidArgumentError("an upstream needs a name");
  if (options.target.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("upstream ", options.name, " has no target"));
  }
  if (options.unavailable_reason.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("upstream ", options.name, " needs the reason of its UNAVAILABLE errors"));
  }
  if (!options.token) {
    return absl::InvalidArgumentError(
        absl::StrCat("upstream ", options.name, " needs the service's own token source"));
  }
  if (options.timeout <= std::chrono::milliseconds::zero()) {
    return absl::InvalidArgumentError(
        absl::StrCat("upstream ", options.name, " needs a positive timeout"));
  }
  // An upstream that returns must be found again within about a second, not gRPC's minutes.
  if (options.channel.initial_reconnect_backoff.count() == 0) {
    options.channel.initial_reconnect_backoff = std::chrono::milliseconds(100);
  }
  if (options.channel.max_reconnect_backoff.count() == 0) {
    options.channel.max_reconnect_backoff = std::chrono::milliseconds(1000);
  }
  absl::StatusOr<std::shared_ptr<::grpc::Channel>> channel =
      MakeChannel(options.target, options.channel);
  if (!channel.ok()) return channel.status();
  return std::unique_ptr<Upstream>(new Upstream(std::move(options), *std::move(channel)));
}

Upstream::Upstream(UpstreamOptions options, std::shared_ptr<::grpc::Channel> channel)
    : options_(std::move(options)), channel_(std::move(channel)), breaker_(options_.breaker) {
  if (options_.metrics) {
    const metrics::Labels labels{{"upstream", options_.name}};
    if (auto g = options_.metrics->Gauge("upstream_circuit_open",
                                         "1 while the circuit to the upstream is open", labels);
        g.ok()) {
      open_gauge_ = *g;
    }
    if (auto c = options_.metrics->Counter(
            "upstream_circuit_rejected_total",
            "Calls answered at once because the circuit to the upstream was open", labels);
        c.ok()) {
      rejected_ = *c;
    }
  }
}

Upstream::~Upstream() = default;

absl::Status Upstream::Unavailable(std::string_view cause, absl::StatusCode code) const {
  return status::Error(code, options_.unavailable_reason,
                       absl::StrCat(options_.name, " is not answering (", std::string(cause),
                                    "); nothing was changed, try again later"),
                       {{"upstream", options_.name}, {"cause", std::string(cause)}});
}

void Upstream::Record(std::string_view method, std::string_view code, double seconds) {
  if (!options_.metrics) return;
  prometheus::Counter* counter = nullptr;
  prometheus::Histogram* latency = nullptr;
  {
    absl::MutexLock lock(&mu_);
    auto found = methods_.find(method);
    if (found == methods_.end()) found = methods_.emplace(std::string(method), MethodMetrics{}).first;
    MethodMetrics& m = found->second;
    if (m.latency == nullptr) {
      if (auto h = options_.metrics->Histogram(
              "grpc_client_handling_seconds", "Latency of calls to other services",
              metrics::Metrics::RpcLatencyBuckets(),
              {{"upstream", options_.name}, {"grpc_method", std::string(method)}});
          h.ok()) {
        m.latency = *h;
      }
    }
    auto it = m.by_code.find(code);
    if (it == m.by_code.end()) {
      auto c = options_.metrics->Counter(
          "grpc_client_handled_total", "Calls to other services by answer",
          {{"upstream", options_.name},
           {"grpc_method", std::string(method)},
           {"grpc_code", std::string(code)}});
      it = m.by_code.emplace(std::string(code), c.ok() ? *c : nullptr).first;
    }
    counter = it->second;
    latency = m.latency;
  }
  if (counter != nullptr) counter->Increment();
  if (latency != nullptr) latency->Observe(seconds);
}

void Upstream::NoteState(CircuitBreaker::State before) {
  const CircuitBreaker::State after = breaker_.state();
  if (open_gauge_ != nullptr) {
    open_gauge_->Set(after == CircuitBreaker::State::kClosed ? 0 : 1);
  }
  if (after == before) return;
  const log::Level level =
      after == CircuitBreaker::State::kClosed ? log::Level::kInfo : log::Level::kWarning;
  log::Write(level, "upstream_circuit",
             {{"upstream", options_.name}, {"from", StateName(before)}, {"to", StateName(after)}});
}

absl::Status Upstream::Call(const CallContext* parent, std::string_view method,
                            const std::function<::grpc::Status(::grpc::ClientContext*)>& invoke) {
  absl::StatusOr<std::string> token = options_.token();
  if (!token.ok()) {
    log::Error("service_token_failed",
               {{"upstream", options_.name}, {"error", std::string(token.status().message())}});
    return status::Internal(absl::StrCat("cannot sign the token for ", options_.name));
  }
  const CircuitBreaker::State before = breaker_.state();
  if (!breaker_.Allow()) {
    if (rejected_ != nullptr) rejected_->Increment();
    Record(method, "CIRCUIT_OPEN", 0);
    return Unavailable(kCircuitOpen, absl::StatusCode::kUnavailable);
  }
  ::grpc::ClientContext context;
  // The probe of a half-open circuit waits (within its deadline) for the connection that the
  // channel is re-establishing, instead of failing on the channel's last failure.
  if (breaker_.state() == CircuitBreaker::State::kHalfOpen) context.set_wait_for_ready(true);
  const absl::Time start = absl::Now();
  const absl::Time deadline = PrepareClientContext(context, parent, options_.timeout, *token);
  // The deadline is the parent's (not the upstream's timeout) when it comes first: running out
  // of it says nothing about the upstream.
  const bool parent_deadline = deadline < start + absl::FromChrono(options_.timeout);
  if (deadline <= start) {
    breaker_.RecordNeutral();
    Record(method, "DEADLINE_EXCEEDED", 0);
    return Unavailable("no time left before the caller's deadline",
                       absl::StatusCode::kDeadlineExceeded);
  }
  const ::grpc::Status st = invoke(&context);
  const absl::Duration took = absl::Now() - start;
  Record(method, status::CodeName(st.error_code()), absl::ToDoubleSeconds(took));
  absl::Status result;
  if (st.error_code() == ::grpc::StatusCode::DEADLINE_EXCEEDED) {
    if (parent_deadline) {
      breaker_.RecordNeutral();
      result = Unavailable("the caller's deadline passed", absl::StatusCode::kDeadlineExceeded);
    } else {
      breaker_.RecordFailure();
      result = Unavailable(absl::StrCat("no answer within ", absl::FormatDuration(took)),
                           absl::StatusCode::kUnavailable);
    }
  } else if (IsUpstreamFailure(st.error_code())) {
    breaker_.RecordFailure();
    log::Warn("upstream_failed", {{"upstream", options_.name},
                                  {"method", method},
                                  {"code", status::CodeName(st.error_code())},
                                  {"message", st.error_message()}});
    result = Unavailable(status::CodeName(st.error_code()), absl::StatusCode::kUnavailable);
  } else {
    breaker_.RecordSuccess();
    result = st.ok() ? absl::OkStatus() : status::FromGrpc(st);
  }
  NoteState(before);
  return result;
}

}  // namespace integration::grpc
