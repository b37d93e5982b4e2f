// OrientationSpec as the runtime runs it: the spec names the service as services.tsv does, and the
// server migrates its schema, registers OrientationService and reports SERVING for it.
#include <map>
#include <sstream>
#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/service/service.h"
#include "orientation_spec.h"
#include "orientation_test_env.h"

namespace integration::orientation::testing {
namespace {

TEST(OrientationSpecTest, NamesBinaryAndPortsAndEmbedsTheFirstMigration) {
  const service::ServiceSpec spec = OrientationSpec();
  EXPECT_EQ(spec.name, "orientation");
  EXPECT_EQ(spec.binary, "orientation-server");
  EXPECT_EQ(spec.default_grpc_port, 50053);
  EXPECT_EQ(spec.default_admin_port, 9053);
  ASSERT_FALSE(spec.migrations.empty());
  EXPECT_STREQ(spec.migrations[0].name, "0001_init");
}

TEST(OrientationSpecTest, HelpNamesTheBinaryAndTheServicesVariables) {
  std::ostringstream out;
  std::ostringstream err;
  std::map<std::string, std::string> env;
  service::RunOptions options;
  options.environment = &env;
  options.out = &out;
  options.err = &err;
  EXPECT_EQ(service::Run(OrientationSpec(), {"--help"}, options), service::kExitOk);
  EXPECT_THAT(out.str(), ::testing::HasSubstr("orientation-server"));
  EXPECT_THAT(out.str(), ::testing::HasSubstr("ORIENTATION_PG_DSN"));
}

class OrientationServingTest : public OrientationTest {};

TEST_F(OrientationServingTest, MigratesAndServesItsService) {
  // Every migration of the binary is recorded as applied, 0001_init among them, and it did its
  // work on the service's own schema.
  EXPECT_EQ(env().Count("SELECT count(*) FROM schema_migrations WHERE name = '0001_init'"), 1);
  EXPECT_EQ(env().Count("SELECT count(*) FROM schema_migrations"),
            static_cast<int64_t>(OrientationSpec().migrations.size()) + 1)  // + 0000_runtime
      << "a migration of the binary was not applied";
  pqxx::result comment = env().Query("SELECT obj_description('orientation'::regnamespace)");
  ASSERT_EQ(comment.size(), 1u);
  EXPECT_EQ(comment[0][0].c_str(), std::string("Orientation service (orientation-server)"));
  // Registered under its full name, so the gateway's health probe of the service answers too.
  const absl::Status serving = env().harness().WaitServing(
      absl::Seconds(5), "lansstyrelsen.integration.orientation.v1.OrientationService");
  EXPECT_TRUE(serving.ok()) << serving;
}

}  // namespace
}  // namespace integration::orientation::testing
