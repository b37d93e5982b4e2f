// A circuit breaker for calls to another service: after a run of failures it stops calling for
// a while and answers at once, then lets one probe through to see whether the service is back.
#pragma once

#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace integration::grpc {

struct CircuitBreakerOptions {
  // Consecutive failures that open the circuit.
  int failure_threshold = 5;
  // How long an open circuit refuses calls before it lets a probe through.
  absl::Duration open_for = absl::Seconds(5);
  // The current time; tests replace it. Defaults to absl::Now.
  std::function<absl::Time()> clock;
};

// Closed: calls go out, failures are counted (a success resets the count). Open: calls are
// refused until open_for has passed. Half-open: exactly one call (the probe) goes out; its
// success closes the circuit, its failure opens it again for another open_for. Thread-safe.
class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };

  explicit CircuitBreaker(CircuitBreakerOptions options = {});

  // Whether a call may go out now. A true answer must be followed by RecordSuccess or
  // RecordFailure (in the half-open state it makes the caller the probe).
  bool Allow();
  void RecordSuccess();
  void RecordFailure();
  // A call that was allowed but ended without saying anything about the service (e.g. the
  // caller's own deadline was too short): frees the probe slot without changing the state.
  void RecordNeutral();

  State state() const;

 private:
  absl::Time Now() const { return options_.clock ? options_.clock() : absl::Now(); }

  const CircuitBreakerOptions options_;
  mutable absl::Mutex mu_;
  State state_ ABSL_GUARDED_BY(mu_) = State::kClosed;
  int failures_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time opened_at_ ABSL_GUARDED_BY(mu_);
  bool probe_in_flight_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace integration::grpc
