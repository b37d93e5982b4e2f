// The training service in the e2e suite: training-server signs diplomas with a key of its own
// (--diploma-signing-key-file) and prints the page that verifies them.
#include <string>

#include "gtest/gtest.h"
#include "integration/testing/service_harness.h"
#include "suite.h"
#include "training_spec.h"

namespace integration::e2e {

SuiteService TrainingSuiteService() {
  SuiteService training{.spec = training::TrainingSpec(), .files = {}, .args = {}};
  std::string private_pem;
  std::string public_pem;
  const absl::Status key = integration::testing::NewEd25519Key(&private_pem, &public_pem);
  // A missing key makes the service refuse to start, which Suite::Start reports.
  EXPECT_TRUE(key.ok()) << key;
  training.files = {{"diploma_signing_key.pem", private_pem}};
  training.args = {"--diploma-signing-key-file={dir}/diploma_signing_key.pem",
                   "--diploma-verify-url=https://integration.lansstyrelsen.se/verify"};
  return training;
}

}  // namespace integration::e2e
