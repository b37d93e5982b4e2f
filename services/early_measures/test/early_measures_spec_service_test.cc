// EarlyMeasuresSpec as the runtime runs it: the spec names the service as services.tsv does, and the
// server migrates its schema, registers EarlyMeasuresService and reports SERVING for it (the shared
// checks of integration/testing/spec_checks.h).
#include "early_measures_spec.h"
#include "early_measures_test_env.h"
#include "gtest/gtest.h"
#include "integration/testing/spec_checks.h"

namespace integration::early_measures::testing {
namespace {

const integration::testing::SpecIdentity kIdentity{.name = "early_measures",
                                                   .binary = "early-measures-server",
                                                   .grpc_port = 50054,
                                                   .admin_port = 9054,
                                                   .env_prefix = "EARLY_MEASURES"};

TEST(EarlyMeasuresSpecTest, NamesBinaryAndPortsAndEmbedsTheFirstMigration) {
  integration::testing::ExpectSpecIdentity(EarlyMeasuresSpec(), kIdentity);
}

TEST(EarlyMeasuresSpecTest, HelpNamesTheBinaryAndTheServicesVariables) {
  integration::testing::ExpectHelpNamesBinaryAndVariables(EarlyMeasuresSpec(), kIdentity);
}

class EarlyMeasuresServingTest : public EarlyMeasuresTest {};

TEST_F(EarlyMeasuresServingTest, MigratesAndServesItsService) {
  integration::testing::ExpectMigratedAndServing(env().harness(), EarlyMeasuresSpec(), "early_measures",
                                                 "Early measures service (early-measures-server)",
                                                 "lansstyrelsen.integration.early_measures.v1.EarlyMeasuresService");
}

}  // namespace
}  // namespace integration::early_measures::testing
