// EarlyMeasuresSpec as the runtime runs it: the spec names the service as services.tsv does, and
// the server migrates its schema, registers EarlyMeasuresService and reports SERVING for it.
#include <map>
#include <sstream>
#include <string>

#include "absl/time/time.h"
#include "early_measures_spec.h"
#include "early_measures_test_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/service/service.h"

namespace integration::early_measures::testing {
namespace {

TEST(EarlyMeasuresSpecTest, NamesBinaryAndPortsAndEmbedsTheFirstMigration) {
  const service::ServiceSpec spec = EarlyMeasuresSpec();
  EXPECT_EQ(spec.name, "early_measures");
  EXPECT_EQ(spec.binary, "early-measures-server");
  EXPECT_EQ(spec.default_grpc_port, 50054);
  EXPECT_EQ(spec.default_admin_port, 9054);
  ASSERT_FALSE(spec.migrations.empty());
  EXPECT_STREQ(spec.migrations[0].name, "0001_init");
}

TEST(EarlyMeasuresSpecTest, HelpNamesTheBinaryAndTheServicesVariables) {
  std::ostringstream out;
  std::ostringstream err;
  std::map<std::string, std::string> env;
  service::RunOptions options;
  options.environment = &env;
  options.out = &out;
  options.err = &err;
  EXPECT_EQ(service::Run(EarlyMeasuresSpec(), {"--help"}, options), service::kExitOk);
  EXPECT_THAT(out.str(), ::testing::HasSubstr("early-measures-server"));
  EXPECT_THAT(out.str(), ::testing::HasSubstr("EARLY_MEASURES_PG_DSN"));
}

class EarlyMeasuresServingTest : public EarlyMeasuresTest {};

TEST_F(EarlyMeasuresServingTest, MigratesAndServesItsService) {
  // Every migration of the binary is recorded as applied, 0001_init among them, and it did its
  // work on the service's own schema.
  EXPECT_EQ(env().Count("SELECT count(*) FROM schema_migrations WHERE name = '0001_init'"), 1);
  EXPECT_EQ(env().Count("SELECT count(*) FROM schema_migrations"),
            static_cast<int64_t>(EarlyMeasuresSpec().migrations.size()) + 1)  // + 0000_runtime
      << "a migration of the binary was not applied";
  pqxx::result comment = env().Query("SELECT obj_description('early_measures'::regnamespace)");
  ASSERT_EQ(comment.size(), 1u);
  EXPECT_EQ(comment[0][0].c_str(), std::string("Early measures service (early-measures-server)"));
  // Registered under its full name, so the gateway's health probe of the service answers too.
  const absl::Status serving = env().harness().WaitServing(
      absl::Seconds(5), "lansstyrelsen.integration.early_measures.v1.EarlyMeasuresService");
  EXPECT_TRUE(serving.ok()) << serving;
}

}  // namespace
}  // namespace integration::early_measures::testing
