// The early_measures service's test harness: the in-process server and its fixture.
#include "early_measures_test_env.h"

#include <utility>

#include "absl/time/time.h"
#include "early_measures_spec.h"

namespace integration::early_measures::testing {

absl::StatusOr<std::unique_ptr<EarlyMeasuresTestEnv>> EarlyMeasuresTestEnv::Start() {
  auto env = std::make_unique<EarlyMeasuresTestEnv>(PassKey());
  integration::testing::HarnessOptions options;
  options.issuer = "https://issuer.early-measures.test";
  options.audience = "early-measures-test";
  absl::StatusOr<std::unique_ptr<integration::testing::ServiceHarness>> harness =
      integration::testing::ServiceHarness::Start(EarlyMeasuresSpec(), options);
  if (!harness.ok()) return harness.status();
  env->harness_ = *std::move(harness);
  env->stub_ = v1::EarlyMeasuresService::NewStub(env->harness_->channel());

  if (absl::Status st = env->harness_->WaitServing(absl::Seconds(20)); !st.ok()) return st;
  return env;
}

std::unique_ptr<EarlyMeasuresTestEnv> EarlyMeasuresTest::env_;
std::string EarlyMeasuresTest::start_error_;

void EarlyMeasuresTest::SetUpTestSuite() {
  absl::StatusOr<std::unique_ptr<EarlyMeasuresTestEnv>> env = EarlyMeasuresTestEnv::Start();
  if (env.ok()) {
    env_ = *std::move(env);
    start_error_.clear();
  } else {
    start_error_ = env.status().ToString();
  }
}

void EarlyMeasuresTest::TearDownTestSuite() { env_.reset(); }

void EarlyMeasuresTest::SetUp() {
  ASSERT_NE(env_, nullptr) << "the early_measures test server did not start: " << start_error_;
  env_->Truncate();
}

}  // namespace integration::early_measures::testing
