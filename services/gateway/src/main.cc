// The gateway binary: signal handling around RunGateway (src/gateway_server.h), which does the
// wiring, so that tests run the same process in-process.
#include <string>
#include <vector>

#include "gateway_server.h"
#include "integration/grpc/process.h"
#include "integration/grpc/signals.h"

int main(int argc, char** argv) {
  integration::grpc::ConfigureProcess();
  // Before any thread starts, so that every thread inherits the blocked signals.
  integration::grpc::SignalWaiter signals;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i] != nullptr ? argv[i] : "");
  integration::gateway::GatewayRunOptions options;
  options.on_started = [&signals](const integration::gateway::GatewayRunning& running) {
    // The first SIGTERM/SIGINT shuts down gracefully; a second one exits at once.
    signals.Start([shutdown = running.request_shutdown](int) { shutdown(); });
  };
  return integration::gateway::RunGateway(args, options);
}
