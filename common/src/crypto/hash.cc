// SHA-256 over OpenSSL 3's EVP digest API.
#include "integration/crypto/hash.h"

#include <openssl/evp.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "openssl_error.h"

namespace integration::crypto {

absl::StatusOr<std::string> Sha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1 ||
      length != 32) {
    return absl::InternalError(absl::StrCat("SHA-256 failed: ", internal::OpenSslError()));
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

}  // namespace integration::crypto
