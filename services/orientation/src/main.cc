// orientation-server: the orientation service's binary (wiring only; see orientation_spec.h).
#include "integration/service/service.h"
#include "orientation_spec.h"

int main(int argc, char** argv) {
  return integration::service::Main(argc, argv, integration::orientation::OrientationSpec());
}
