// Lints the generated OpenAPI document with Redocly CLI (pinned in tools/node): it must be valid
// OpenAPI 3 with no errors under the "recommended" rule set.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "integration/testing/temp_dir.h"
#include "lansstyrelsen/integration/echo/v1/echo.pb.h"
#include "lansstyrelsen/integration/gateway/v1/gateway_service.pb.h"
#include "lansstyrelsen/integration/training/v1/training_service.pb.h"
#include "openapi.h"

#ifndef INTEGRATION_REDOCLY
#error "INTEGRATION_REDOCLY must name the redocly executable (see services/gateway/CMakeLists.txt)"
#endif

namespace integration::gateway {
namespace {

TEST(OpenApiLintTest, RedoclyRecommendedPassesWithoutErrors) {
  const std::filesystem::path redocly = INTEGRATION_REDOCLY;
  ASSERT_TRUE(std::filesystem::exists(redocly))
      << redocly << " is missing: run `npm ci` in tools/node";

  std::vector<const google::protobuf::MethodDescriptor*> methods;
  for (const google::protobuf::ServiceDescriptor* service :
       {lansstyrelsen::integration::training::v1::ListPartsRequest::descriptor()
            ->file()
            ->FindServiceByName("TrainingService"),
        lansstyrelsen::integration::echo::v1::EchoRequest::descriptor()->file()->FindServiceByName(
            "EchoService"),
        lansstyrelsen::integration::gateway::v1::GetRegionalOverviewRequest::descriptor()
            ->file()
            ->FindServiceByName("GatewayService")}) {
    for (int i = 0; i < service->method_count(); ++i) methods.push_back(service->method(i));
  }
  auto document = BuildOpenApi(methods);
  ASSERT_TRUE(document.ok()) << document.status();

  // A directory of our own: redocly would pick up a redocly.yaml from the working directory.
  const integration::testing::TempDir dir("gateway-openapi-");
  ASSERT_TRUE(dir.ok());
  const std::string spec = dir.Write("openapi.json", *document);
  const std::string output = dir.File("lint.txt");
  const std::string command =
      "cd '" + dir.path() +
      "' && REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true "
      "NO_COLOR=1 '" +
      redocly.string() +
      // An internal API of a county board publishes no license: the one rule that does not fit.
      "' lint --extends=recommended --skip-rule=info-license --format=stylish '" + spec + "' > '" +
      output + "' 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(output);
  const std::string report((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_TRUE(WIFEXITED(status)) << report;
  EXPECT_EQ(WEXITSTATUS(status), 0) << report;
  // Redocly prints "You have N warning(s)." for warnings it does not fail on; none expected.
  EXPECT_EQ(report.find("You have"), std::string::npos) << report;
  EXPECT_NE(report.find("valid"), std::string::npos) << report;
}

}  // namespace
}  // namespace integration::gateway
