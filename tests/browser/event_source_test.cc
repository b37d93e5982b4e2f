// The event feed in a browser: the e2e suite (every service and the gateway, in-process) with
// the gateway allowing one page origin, and tests/e2e/clients/browser_client.mjs driving Debian's
// Chromium through puppeteer-core, whose page follows GET /v1/events:watch with EventSource. The
// script asks for a gateway restart while Redis is down ("control: stop-redis", "restart-gateway",
// "start-redis"), which this test performs; EventSource must resume by itself from its
// Last-Event-ID.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "event_clients.h"
#include "gateway_process.h"
#include "suite.h"

namespace integration::e2e {
namespace {

TEST(EventSourceBrowserTest, FollowsGrantsLifecyclesThroughAGatewayRestartWithinItsTenant) {
  const char* configured = std::getenv("CHROMIUM");
  const std::string chromium = configured != nullptr ? configured : "/usr/bin/chromium";
  if (!std::filesystem::exists(chromium)) {
    GTEST_SKIP() << "no Chromium at " << chromium
                 << " (scripts/deps.sh installs Debian's chromium; CHROMIUM names another)";
  }
  ASSERT_TRUE(std::filesystem::exists(EventClientsDir() + "/node_modules/puppeteer-core"))
      << "the clients' npm packages are not installed (scripts/deps.sh runs npm ci in "
      << EventClientsDir() << ")";

  const int page_port = gateway::testing::UnusedPort();
  GatewayConfig config;
  config.cors_origins = absl::StrCat("http://127.0.0.1:", page_port);
  absl::StatusOr<std::unique_ptr<Suite>> suite = Suite::Start(RealServices(), config);
  ASSERT_TRUE(suite.ok()) << suite.status();
  std::map<std::string, std::string> env = EventClientEnvironment(**suite);
  env["PAGE_PORT"] = absl::StrCat(page_port);
  env["CHROMIUM"] = chromium;
  const NodeRun run = RunNode(
      "browser_client.mjs", env,
      [&](std::string_view request) -> std::string {
        absl::Status done = absl::OkStatus();
        if (request == "restart-gateway") {
          done = (*suite)->RestartGateway();
        } else if (request == "stop-redis") {
          (*suite)->redis().Stop();
        } else if (request == "start-redis") {
          done = (*suite)->redis().Restart();
        } else {
          return "unknown request " + std::string(request);
        }
        return done.ok() ? "ok" : done.ToString();
      },
      absl::Minutes(5));
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

}  // namespace
}  // namespace integration::e2e
