// The grants service in the e2e suite: the diarium registry of Länsstyrelsen i Uppsala län's
// numbers (the binary's default, spelled out so that the tests' numbers do not depend on it).
#include "grants_spec.h"
#include "suite.h"

namespace integration::e2e {

SuiteService GrantsSuiteService() {
  return {.spec = grants::GrantsSpec(), .files = {}, .args = {"--diarium-registry=851"}};
}

}  // namespace integration::e2e
