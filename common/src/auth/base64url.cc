// Strict unpadded base64url, used for every JOSE segment and JWK coordinate, on Abseil's
// web-safe base64.
#include "integration/auth/base64url.h"

#include "absl/strings/escaping.h"
#include "absl/strings/string_view.h"

namespace integration::auth {

std::string Base64UrlEncode(std::string_view data) {
  return absl::WebSafeBase64Escape(absl::string_view(data.data(), data.size()));
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  std::string out;
  if (!absl::WebSafeBase64Unescape(absl::string_view(text.data(), text.size()), &out)) {
    return std::nullopt;
  }
  // Abseil is lenient where JOSE must not be: it accepts '=' or '.' padding, skips white space
  // and ignores set bits left over in the last character. Only the one canonical spelling of
  // the bytes is taken, i.e. the text must be exactly what encoding them gives: otherwise a
  // token's signature segment (not itself signed) could be respelled into a different token
  // string that still verifies.
  if (absl::WebSafeBase64Escape(out) != absl::string_view(text.data(), text.size())) {
    return std::nullopt;
  }
  return out;
}

}  // namespace integration::auth
