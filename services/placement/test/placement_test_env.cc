// The placement service's test harness: the in-process server and its fixture.
#include "placement_test_env.h"

#include <utility>

#include "absl/time/time.h"
#include "placement_spec.h"

namespace integration::placement::testing {

absl::StatusOr<std::unique_ptr<PlacementTestEnv>> PlacementTestEnv::Start() {
  auto env = std::make_unique<PlacementTestEnv>(PassKey());
  integration::testing::HarnessOptions options;
  options.issuer = "https://issuer.placement.test";
  options.audience = "placement-test";
  absl::StatusOr<std::unique_ptr<integration::testing::ServiceHarness>> harness =
      integration::testing::ServiceHarness::Start(PlacementSpec(), options);
  if (!harness.ok()) return harness.status();
  env->harness_ = *std::move(harness);
  env->stub_ = v1::PlacementService::NewStub(env->harness_->channel());

  if (absl::Status st = env->harness_->WaitServing(absl::Seconds(20)); !st.ok()) return st;
  return env;
}

std::unique_ptr<PlacementTestEnv> PlacementTest::env_;
std::string PlacementTest::start_error_;

void PlacementTest::SetUpTestSuite() {
  absl::StatusOr<std::unique_ptr<PlacementTestEnv>> env = PlacementTestEnv::Start();
  if (env.ok()) {
    env_ = *std::move(env);
    start_error_.clear();
  } else {
    start_error_ = env.status().ToString();
  }
}

void PlacementTest::TearDownTestSuite() { env_.reset(); }

void PlacementTest::SetUp() {
  ASSERT_NE(env_, nullptr) << "the placement test server did not start: " << start_error_;
  env_->Truncate();
}

}  // namespace integration::placement::testing
