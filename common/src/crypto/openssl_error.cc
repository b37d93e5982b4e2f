// OpenSSL's error queue as text, for the messages of integration_crypto.
#include "openssl_error.h"

#include <openssl/err.h>

#include "absl/strings/str_cat.h"

namespace integration::crypto::internal {

std::string OpenSslError() {
  const unsigned long code = ERR_peek_error();
  std::string text = "unknown OpenSSL error";
  if (code != 0) {
    const char* reason = ERR_reason_error_string(code);
    text = reason != nullptr ? reason : absl::StrCat("error ", code);
  }
  ERR_clear_error();
  return text;
}

}  // namespace integration::crypto::internal
