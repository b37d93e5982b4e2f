// early-measures-server: the early_measures service's binary (wiring only; see
// early_measures_spec.h).
#include "early_measures_spec.h"
#include "integration/service/service.h"

int main(int argc, char** argv) {
  return integration::service::Main(argc, argv, integration::early_measures::EarlyMeasuresSpec());
}
