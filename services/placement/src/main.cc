// placement-server: the placement service's binary (wiring only; see placement_spec.h).
#include "integration/service/service.h"
#include "placement_spec.h"

int main(int argc, char** argv) {
  return integration::service::Main(argc, argv, integration::placement::PlacementSpec());
}
