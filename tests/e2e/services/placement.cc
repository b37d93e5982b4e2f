// The placement service in the e2e suite: placement-server encrypts and hashes dossier numbers
// with the suite's personal-number keys (--pnr-encryption-key-file, --pnr-hmac-key-file); the
// suite gives it fresh random ones.
#include "placement_spec.h"
#include "suite.h"

namespace integration::e2e {

SuiteService PlacementSuiteService() {
  return {.spec = placement::PlacementSpec(),
          .files = {{"pnr_encryption_key", RandomKeyHex()}, {"pnr_hmac_key", RandomKeyHex()}},
          .args = {"--pnr-encryption-key-file={dir}/pnr_encryption_key",
                   "--pnr-hmac-key-file={dir}/pnr_hmac_key"}};
}

}  // namespace integration::e2e
