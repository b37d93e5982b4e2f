// grants-server: the grants service's binary (wiring only; see grants_spec.h).
#include "grants_spec.h"
#include "integration/service/service.h"

int main(int argc, char** argv) {
  return integration::service::Main(argc, argv, integration::grants::GrantsSpec());
}
