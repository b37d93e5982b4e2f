// The grants service in the e2e suite: the diarium registry of Länsstyrelsen i Uppsala län's
// numbers (the binary's default, spelled out so that the tests' numbers do not depend on it),
// on its reserved port (early_measures calls it), taking the participant figures of TIA
// reports from the suite's early_measures with a service token signed by the suite's key.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grants_spec.h"
#include "suite.h"

namespace integration::e2e {

SuiteService GrantsSuiteService() {
  std::vector<std::string> args = {
      "--diarium-registry=851", absl::StrCat("--grpc-port=", ReservedPort("grants")),
      absl::StrCat("--early-measures-addr=127.0.0.1:", ReservedPort("early_measures")),
      "--participant-figures-programmes=tia"};
  for (std::string& a : ServiceTokenArgs()) args.push_back(std::move(a));
  return {.spec = grants::GrantsSpec(), .files = {}, .args = std::move(args)};
}

}  // namespace integration::e2e
