// Unit tests of the circuit breaker's states on a fake clock.
#include "integration/grpc/circuit_breaker.h"

#include "gtest/gtest.h"

namespace integration::grpc {
namespace {

using State = CircuitBreaker::State;

class CircuitBreakerTest : public ::testing::Test {
 protected:
  CircuitBreakerOptions Options() {
    CircuitBreakerOptions o;
    o.failure_threshold = 3;
    o.open_for = absl::Seconds(5);
    o.clock = [this] { return now_; };
    return o;
  }
  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
};

TEST_F(CircuitBreakerTest, OpensAfterConsecutiveFailuresOnly) {
  CircuitBreaker b(Options());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(b.Allow());
    b.RecordFailure();
  }
  // A success in between resets the count.
  ASSERT_TRUE(b.Allow());
  b.RecordSuccess();
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(b.Allow());
    b.RecordFailure();
  }
  EXPECT_EQ(b.state(), State::kClosed);
  ASSERT_TRUE(b.Allow());
  b.RecordFailure();
  EXPECT_EQ(b.state(), State::kOpen);
  EXPECT_FALSE(b.Allow());
  now_ += absl::Seconds(4);
  EXPECT_FALSE(b.Allow());
}

TEST_F(CircuitBreakerTest, OneProbeAfterTheOpenIntervalClosesOrReopens) {
  CircuitBreaker b(Options());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(b.Allow());
    b.RecordFailure();
  }
  now_ += absl::Seconds(5);
  ASSERT_TRUE(b.Allow());  // the probe
  EXPECT_EQ(b.state(), State::kHalfOpen);
  EXPECT_FALSE(b.Allow());  // only one at a time
  b.RecordFailure();
  EXPECT_EQ(b.state(), State::kOpen);
  EXPECT_FALSE(b.Allow());  // open again for a whole interval from the failed probe
  now_ += absl::Seconds(5);
  ASSERT_TRUE(b.Allow());
  b.RecordSuccess();
  EXPECT_EQ(b.state(), State::kClosed);
  EXPECT_TRUE(b.Allow());
  EXPECT_TRUE(b.Allow());
}

TEST_F(CircuitBreakerTest, NeutralOutcomeFreesTheProbeWithoutDeciding) {
  CircuitBreaker b(Options());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(b.Allow());
    b.RecordFailure();
  }
  now_ += absl::Seconds(6);
  ASSERT_TRUE(b.Allow());
  b.RecordNeutral();
  EXPECT_EQ(b.state(), State::kHalfOpen);
  ASSERT_TRUE(b.Allow());  // the next caller probes
  b.RecordSuccess();
  EXPECT_EQ(b.state(), State::kClosed);
  // Neutral outcomes never count as failures.
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(b.Allow());
    b.RecordNeutral();
  }
  EXPECT_EQ(b.state(), State::kClosed);
}

}  // namespace
}  // namespace integration::grpc
