// PlacementSpec as the runtime runs it: the spec names the service as services.tsv does, and the
// server migrates its schema, registers PlacementService and reports SERVING for it.
#include <map>
#include <sstream>
#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/service/service.h"
#include "placement_spec.h"
#include "placement_test_env.h"

namespace integration::placement::testing {
namespace {

TEST(PlacementSpecTest, NamesBinaryAndPortsAndEmbedsTheFirstMigration) {
  const service::ServiceSpec spec = PlacementSpec();
  EXPECT_EQ(spec.name, "placement");
  EXPECT_EQ(spec.binary, "placement-server");
  EXPECT_EQ(spec.default_grpc_port, 50052);
  EXPECT_EQ(spec.default_admin_port, 9052);
  ASSERT_FALSE(spec.migrations.empty());
  EXPECT_STREQ(spec.migrations[0].name, "0001_init");
}

TEST(PlacementSpecTest, HelpNamesTheBinaryAndTheServicesVariables) {
  std::ostringstream out;
  std::ostringstream err;
  std::map<std::string, std::string> env;
  service::RunOptions options;
  options.environment = &env;
  options.out = &out;
  options.err = &err;
  EXPECT_EQ(service::Run(PlacementSpec(), {"--help"}, options), service::kExitOk);
  EXPECT_THAT(out.str(), ::testing::HasSubstr("placement-server"));
  EXPECT_THAT(out.str(), ::testing::HasSubstr("PLACEMENT_PG_DSN"));
}

class PlacementServingTest : public PlacementTest {};

TEST_F(PlacementServingTest, MigratesAndServesItsService) {
  // Every migration of the binary is recorded as applied, 0001_init among them, and it did its
  // work on the service's own schema.
  EXPECT_EQ(env().Count("SELECT count(*) FROM schema_migrations WHERE name = '0001_init'"), 1);
  EXPECT_EQ(env().Count("SELECT count(*) FROM schema_migrations"),
            static_cast<int64_t>(PlacementSpec().migrations.size()) + 1)  // + 0000_runtime
      << "a migration of the binary was not applied";
  pqxx::result comment = env().Query("SELECT obj_description('placement'::regnamespace)");
  ASSERT_EQ(comment.size(), 1u);
  EXPECT_EQ(comment[0][0].c_str(), std::string("Placement service (placement-server)"));
  // Registered under its full name, so the gateway's health probe of the service answers too.
  const absl::Status serving = env().harness().WaitServing(
      absl::Seconds(5), "lansstyrelsen.integration.placement.v1.PlacementService");
  EXPECT_TRUE(serving.ok()) << serving;
}

}  // namespace
}  // namespace integration::placement::testing
