// The placement service in the e2e suite: placement-server encrypts and hashes dossier numbers
// with the suite's personal-number keys (--pnr-encryption-key-file, --pnr-hmac-key-file); the
// suite gives it fresh random ones.
#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "integration/crypto/random.h"
#include "placement_spec.h"
#include "suite.h"

namespace integration::e2e {
namespace {

// 32 random bytes as 64 hex digits; "" (which makes the service refuse to start, as
// Suite::Start reports) should the system's random source fail.
std::string RandomKeyHex() {
  absl::StatusOr<std::string> bytes = crypto::RandomBytes(32);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? absl::BytesToHexString(*bytes) : "";
}

}  // namespace

SuiteService PlacementSuiteService() {
  return {.spec = placement::PlacementSpec(),
          .files = {{"pnr_encryption_key", RandomKeyHex()}, {"pnr_hmac_key", RandomKeyHex()}},
          .args = {"--pnr-encryption-key-file={dir}/pnr_encryption_key",
                   "--pnr-hmac-key-file={dir}/pnr_hmac_key"}};
}

}  // namespace integration::e2e
