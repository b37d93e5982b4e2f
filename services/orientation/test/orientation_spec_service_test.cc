// OrientationSpec as the runtime runs it: the spec names the service as services.tsv does, and the
// server migrates its schema, registers OrientationService and reports SERVING for it (the shared
// checks of integration/testing/spec_checks.h).
#include "orientation_spec.h"
#include "orientation_test_env.h"
#include "gtest/gtest.h"
#include "integration/testing/spec_checks.h"

namespace integration::orientation::testing {
namespace {

const integration::testing::SpecIdentity kIdentity{.name = "orientation",
                                                   .binary = "orientation-server",
                                                   .grpc_port = 50053,
                                                   .admin_port = 9053,
                                                   .env_prefix = "ORIENTATION"};

TEST(OrientationSpecTest, NamesBinaryAndPortsAndEmbedsTheFirstMigration) {
  integration::testing::ExpectSpecIdentity(OrientationSpec(), kIdentity);
}

TEST(OrientationSpecTest, HelpNamesTheBinaryAndTheServicesVariables) {
  integration::testing::ExpectHelpNamesBinaryAndVariables(OrientationSpec(), kIdentity);
}

class OrientationServingTest : public OrientationTest {};

TEST_F(OrientationServingTest, MigratesAndServesItsService) {
  integration::testing::ExpectMigratedAndServing(env().harness(), OrientationSpec(), "orientation",
                                                 "Orientation service (orientation-server)",
                                                 "lansstyrelsen.integration.orientation.v1.OrientationService");
}

}  // namespace
}  // namespace integration::orientation::testing
