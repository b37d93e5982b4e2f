// training-server: the training service's binary (wiring only; see training_spec.h).
#include "diploma_pdf.h"
#include "integration/service/service.h"
#include "training_spec.h"

int main(int argc, char** argv) {
  const int status =
      integration::service::Main(argc, argv, integration::training::TrainingSpec());
  // Last: nothing renders any more once Main returned (fontconfig state only matters to LSan).
  integration::training::ReleasePdfFontCaches();
  return status;
}
