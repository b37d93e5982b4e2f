// The early_measures service in the e2e suite: its spec and the settings it needs beyond those
// every service has (none yet; files and `serve` arguments go here when it gets some).
#include "early_measures_spec.h"
#include "suite.h"

namespace integration::e2e {

SuiteService EarlyMeasuresSuiteService() {
  return {.spec = early_measures::EarlyMeasuresSpec(), .files = {}, .args = {}};
}

}  // namespace integration::e2e
