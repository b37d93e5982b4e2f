// The test service as a real process (schema echo_process), for the tests of Main(): signals,
// exit status, environment settings.
#include "echo_service.h"
#include "integration/service/service.h"

int main(int argc, char** argv) {
  return integration::service::Main(argc, argv,
                                    integration::service::testing::EchoSpec("echo_process"));
}
