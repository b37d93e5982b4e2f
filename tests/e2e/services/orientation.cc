// The orientation service in the e2e suite: its spec and the settings it needs beyond those every
// service has (none yet; files and `serve` arguments go here when it gets some).
#include "orientation_spec.h"
#include "suite.h"

namespace integration::e2e {

SuiteService OrientationSuiteService() {
  return {.spec = orientation::OrientationSpec(), .files = {}, .args = {}};
}

}  // namespace integration::e2e
