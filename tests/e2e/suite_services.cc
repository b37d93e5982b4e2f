// The real services the e2e suite runs behind the gateway, and the settings each needs beyond
// those every service has. A new service is one entry in RealServices() (its spec and, if it has
// any, its own files and arguments) plus its server library in CMakeLists.txt.
#include <string>
#include <vector>

#include "grants_spec.h"
#include "gtest/gtest.h"
#include "integration/testing/service_harness.h"
#include "suite.h"
#include "training_spec.h"

namespace integration::e2e {
namespace {

// training-server signs diplomas with a key of its own (--diploma-signing-key-file).
SuiteService Training() {
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

// grants-server: the diarium registry of Länsstyrelsen i Uppsala län's numbers (the default).
SuiteService Grants() {
  return {.spec = grants::GrantsSpec(), .files = {}, .args = {"--diarium-registry=851"}};
}

}  // namespace

std::vector<SuiteService> RealServices() {
  std::vector<SuiteService> services;
  services.push_back(Training());
  services.push_back(Grants());
  return services;
}

}  // namespace integration::e2e
