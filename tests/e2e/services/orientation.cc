// The orientation service in the e2e suite: orientation-server encrypts and hashes identity
// numbers with the suite's personal-number keys and signs certificates with a key of its own;
// the suite gives it fresh ones.
#include <string>

#include "gtest/gtest.h"
#include "integration/testing/service_harness.h"
#include "orientation_spec.h"
#include "suite.h"

namespace integration::e2e {

SuiteService OrientationSuiteService() {
  std::string private_pem;
  std::string public_pem;
  const absl::Status key = integration::testing::NewEd25519Key(&private_pem, &public_pem);
  // A missing key makes the service refuse to start, which Suite::Start reports.
  EXPECT_TRUE(key.ok()) << key;
  return {.spec = orientation::OrientationSpec(),
          .files = {{"pnr_encryption_key", RandomKeyHex()},
                    {"pnr_hmac_key", RandomKeyHex()},
                    {"certificate_key.pem", private_pem}},
          .args = {"--pnr-encryption-key-file={dir}/pnr_encryption_key",
                   "--pnr-hmac-key-file={dir}/pnr_hmac_key",
                   "--certificate-signing-key-file={dir}/certificate_key.pem"}};
}

}  // namespace integration::e2e
