// The placement service in the e2e suite: its spec and the settings it needs beyond those every
// service has (none yet; files and `serve` arguments go here when it gets some).
#include "placement_spec.h"
#include "suite.h"

namespace integration::e2e {

SuiteService PlacementSuiteService() {
  return {.spec = placement::PlacementSpec(), .files = {}, .args = {}};
}

}  // namespace integration::e2e
