// PlacementSpec as the runtime runs it: the spec names the service as services.tsv does, and the
// server migrates its schema, registers PlacementService and reports SERVING for it (the shared
// checks of integration/testing/spec_checks.h).
#include "placement_spec.h"
#include "placement_test_env.h"
#include "gtest/gtest.h"
#include "integration/testing/spec_checks.h"

namespace integration::placement::testing {
namespace {

const integration::testing::SpecIdentity kIdentity{.name = "placement",
                                                   .binary = "placement-server",
                                                   .grpc_port = 50052,
                                                   .admin_port = 9052,
                                                   .env_prefix = "PLACEMENT"};

TEST(PlacementSpecTest, NamesBinaryAndPortsAndEmbedsTheFirstMigration) {
  integration::testing::ExpectSpecIdentity(PlacementSpec(), kIdentity);
}

TEST(PlacementSpecTest, HelpNamesTheBinaryAndTheServicesVariables) {
  integration::testing::ExpectHelpNamesBinaryAndVariables(PlacementSpec(), kIdentity);
}

class PlacementServingTest : public PlacementTest {};

TEST_F(PlacementServingTest, MigratesAndServesItsService) {
  integration::testing::ExpectMigratedAndServing(env().harness(), PlacementSpec(), "placement",
                                                 "Placement service (placement-server)",
                                                 "lansstyrelsen.integration.placement.v1.PlacementService");
}

}  // namespace
}  // namespace integration::placement::testing
