// The event feed through a stock grpc-js client (tests/e2e/clients/grpc_client.mjs: @grpc/grpc-js
// and @grpc/proto-loader reading the repository's .proto files): the suite and its gateway run
// here, the script drives grants lifecycles over the gateway's HTTP API and asserts what its
// watchers get — commit order per resource, resume from a cursor without loss or duplicates,
// nothing outside a token's tenant, CURSOR_EXPIRED and the resync through the lists.
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "event_clients.h"
#include "suite.h"

namespace integration::e2e {
namespace {

TEST(GrpcJsEventClientTest, FollowsGrantsLifecyclesResumesAndSeesOnlyItsTenant) {
  ASSERT_TRUE(std::filesystem::exists(EventClientsDir() + "/node_modules/@grpc/grpc-js"))
      << "the clients' npm packages are not installed (scripts/deps.sh runs npm ci in "
      << EventClientsDir() << ")";
  absl::StatusOr<std::unique_ptr<Suite>> suite = Suite::Start(RealServices());
  ASSERT_TRUE(suite.ok()) << suite.status();
  const NodeRun run = RunNode(
      "grpc_client.mjs", EventClientEnvironment(**suite),
      [](std::string_view request) { return "unknown request " + std::string(request); },
      absl::Minutes(5));
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

}  // namespace
}  // namespace integration::e2e
