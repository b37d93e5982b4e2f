// integration-call: calls one RPC of the suite with a JSON request and prints the JSON response
// (the suite's stand-in for grpcurl, which Debian does not package).
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "call_lib.h"

// Read by LeakSanitizer in the dev (ASan) build only. gRPC 1.51's c-ares resolver leaks a few
// bytes per resolved host name ("localhost:50050"); without this every successful call in a
// dev build would end in a leak report and ASan's exit status 1, which reads as a failed RPC.
extern "C" const char* __lsan_default_suppressions() { return "leak:libcares.so\n"; }
extern "C" const char* __lsan_default_options() { return "print_suppressions=0"; }

int main(int argc, char** argv) {
  namespace call = integration::call;
  const std::vector<std::string> args(argv + 1, argv + argc);
  const char* env_target = std::getenv("INTEGRATION_TARGET");
  absl::StatusOr<call::Options> options = call::ParseArgs(args, env_target ? env_target : "");
  if (!options.ok()) {
    std::cerr << "integration-call: " << options.status().message()
              << "\n(integration-call --help shows the usage)\n";
    return call::kExitUsage;
  }
  call::Io io{std::cin, std::cout, std::cerr, isatty(STDIN_FILENO) == 1,
              isatty(STDOUT_FILENO) == 1};
  return call::Run(*options, io);
}
