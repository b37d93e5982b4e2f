// Base64url without padding (RFC 4648 §5, as JOSE uses it): strict decoding for untrusted input.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace integration::auth {

// Encodes without '=' padding.
std::string Base64UrlEncode(std::string_view data);

// Decodes unpadded base64url. Rejects (nullopt) padding, whitespace, characters outside the
// url-safe alphabet, impossible lengths and non-canonical encodings (unused bits set), so one
// byte string has exactly one accepted encoding.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace integration::auth
