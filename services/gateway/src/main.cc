// The gateway binary: signal handling around RunGateway (src/gateway_server.h), which does the
// wiring, so that tests run the same process in-process; `gateway openapi SERVICE...` prints
// the OpenAPI document of the named services (the web application's API types come from it).
#include <google/protobuf/descriptor.h>

#include <iostream>
#include <string>
#include <vector>

#include "gateway_server.h"
#include "openapi.h"
#include "integration/grpc/process.h"
#include "integration/grpc/signals.h"

int main(int argc, char** argv) {
  integration::grpc::ConfigureProcess();
  // Before any thread starts, so that every thread inherits the blocked signals.
  integration::grpc::SignalWaiter signals;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i] != nullptr ? argv[i] : "");
  if (!args.empty() && args[0] == "openapi") {
    std::vector<const google::protobuf::MethodDescriptor*> methods;
    for (std::size_t i = 1; i < args.size(); ++i) {
      const google::protobuf::ServiceDescriptor* service =
          google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(args[i]);
      if (service == nullptr) {
        std::cerr << "gateway openapi: no service " << args[i]
                  << " (give full names, e.g. lansstyrelsen.integration.training.v1."
                     "TrainingService)\n";
        return 2;
      }
      for (int m = 0; m < service->method_count(); ++m) methods.push_back(service->method(m));
    }
    auto document = integration::gateway::BuildOpenApi(methods);
    if (!document.ok()) {
      std::cerr << "gateway openapi: " << document.status() << "\n";
      return 1;
    }
    std::cout << *document << "\n";
    return 0;
  }
  integration::gateway::GatewayRunOptions options;
  options.on_started = [&signals](const integration::gateway::GatewayRunning& running) {
    // The first SIGTERM/SIGINT shuts down gracefully; a second one exits at once.
    signals.Start([shutdown = running.request_shutdown](int) { shutdown(); });
  };
  return integration::gateway::RunGateway(args, options);
}
