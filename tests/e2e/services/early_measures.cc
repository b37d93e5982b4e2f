// The early_measures service in the e2e suite: it hashes LMA numbers with the suite's look-up
// key (a fresh random one here) and calls the suite's grants (on its reserved port) with a
// service token signed by the suite's key.
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "early_measures_spec.h"
#include "gtest/gtest.h"
#include "integration/crypto/random.h"
#include "suite.h"

namespace integration::e2e {

SuiteService EarlyMeasuresSuiteService() {
  absl::StatusOr<std::string> key = crypto::RandomBytes(32);
  EXPECT_TRUE(key.ok()) << key.status();
  std::vector<std::string> args = {
      absl::StrCat("--grpc-port=", ReservedPort("early_measures")),
      "--pnr-hmac-key-file={dir}/pnr_hmac_key",
      absl::StrCat("--grants-addr=127.0.0.1:", ReservedPort("grants")),
      // Short, so that the outage test sees the circuit open and close in seconds.
      "--grants-timeout=1s", "--grants-circuit-failures=2", "--grants-circuit-open=500ms"};
  for (std::string& a : ServiceTokenArgs()) args.push_back(std::move(a));
  return {.spec = early_measures::EarlyMeasuresSpec(),
          .files = {{"pnr_hmac_key", key.ok() ? absl::BytesToHexString(*key) : ""}},
          .args = std::move(args)};
}

}  // namespace integration::e2e
