// The circuit breaker's state machine.
#include "integration/grpc/circuit_breaker.h"

#include <utility>

namespace integration::grpc {

CircuitBreaker::CircuitBreaker(CircuitBreakerOptions options) : options_(std::move(options)) {}

bool CircuitBreaker::Allow() {
  absl::MutexLock lock(&mu_);
  switch (state_) {
    case State::kClosed:
      return true;
    case State::kOpen:
      if (Now() - opened_at_ < options_.open_for) return false;
      state_ = State::kHalfOpen;
      probe_in_flight_ = true;
      return true;
    case State::kHalfOpen:
      // One probe at a time: the others are refused as if the circuit were still open.
      if (probe_in_flight_) return false;
      probe_in_flight_ = true;
      return true;
  }
  return false;
}

void CircuitBreaker::RecordSuccess() {
  absl::MutexLock lock(&mu_);
  state_ = State::kClosed;
  failures_ = 0;
  probe_in_flight_ = false;
}

void CircuitBreaker::RecordFailure() {
  absl::MutexLock lock(&mu_);
  probe_in_flight_ = false;
  if (state_ == State::kHalfOpen ||
      (state_ == State::kClosed && ++failures_ >= options_.failure_threshold)) {
    state_ = State::kOpen;
    opened_at_ = Now();
    failures_ = 0;
  }
}

void CircuitBreaker::RecordNeutral() {
  absl::MutexLock lock(&mu_);
  probe_in_flight_ = false;
}

CircuitBreaker::State CircuitBreaker::state() const {
  absl::MutexLock lock(&mu_);
  return state_;
}

}  // namespace integration::grpc
