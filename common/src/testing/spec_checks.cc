// The shared checks of the services' spec tests.
#include "integration/testing/spec_checks.h"

#include <cstdint>
#include <map>
#include <sstream>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace integration::testing {

void ExpectSpecIdentity(const service::ServiceSpec& spec, const SpecIdentity& want) {
  EXPECT_EQ(spec.name, want.name);
  EXPECT_EQ(spec.binary, want.binary);
  EXPECT_EQ(spec.default_grpc_port, want.grpc_port);
  EXPECT_EQ(spec.default_admin_port, want.admin_port);
  ASSERT_FALSE(spec.migrations.empty());
  EXPECT_STREQ(spec.migrations[0].name, "0001_init");
}

void ExpectHelpNamesBinaryAndVariables(const service::ServiceSpec& spec, const SpecIdentity& want) {
  std::ostringstream out;
  std::ostringstream err;
  std::map<std::string, std::string> env;
  service::RunOptions options;
  options.environment = &env;
  options.out = &out;
  options.err = &err;
  EXPECT_EQ(service::Run(spec, {"--help"}, options), service::kExitOk);
  EXPECT_THAT(out.str(), ::testing::HasSubstr(want.binary));
  EXPECT_THAT(out.str(), ::testing::HasSubstr(want.env_prefix + "_PG_DSN"));
}

void ExpectMigratedAndServing(ServiceHarness& harness, const service::ServiceSpec& spec,
                              const std::string& schema, const std::string& schema_comment,
                              const std::string& grpc_service) {
  // Every migration of the binary is recorded as applied, 0001_init among them, and it did its
  // work on the service's own schema.
  EXPECT_EQ(harness.Count("SELECT count(*) FROM schema_migrations WHERE name = '0001_init'"), 1);
  EXPECT_EQ(harness.Count("SELECT count(*) FROM schema_migrations"),
            static_cast<int64_t>(spec.migrations.size()) + 1)  // + 0000_runtime
      << "a migration of the binary was not applied";
  pqxx::result comment =
      harness.Query("SELECT obj_description('" + schema + "'::regnamespace)");
  ASSERT_EQ(comment.size(), 1u);
  EXPECT_EQ(comment[0][0].c_str(), schema_comment);
  // Registered under its full name, so the gateway's health probe of the service answers too.
  const absl::Status serving = harness.WaitServing(absl::Seconds(5), grpc_service);
  EXPECT_TRUE(serving.ok()) << serving;
}

}  // namespace integration::testing
