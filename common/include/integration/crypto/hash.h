// Cryptographic hashes over OpenSSL 3.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace integration::crypto {

// The 32-byte SHA-256 digest of `data`; INTERNAL if OpenSSL fails.
absl::StatusOr<std::string> Sha256(std::string_view data);

}  // namespace integration::crypto
