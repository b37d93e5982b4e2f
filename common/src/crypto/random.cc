// Random bytes from OpenSSL's CSPRNG.
#include "integration/crypto/random.h"

#include <openssl/rand.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "openssl_error.h"

namespace integration::crypto {

absl::StatusOr<std::string> RandomBytes(std::size_t count) {
  std::string bytes(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
    return absl::InternalError(
        absl::StrCat("the random number generator failed: ", internal::OpenSslError()));
  }
  return bytes;
}

}  // namespace integration::crypto
