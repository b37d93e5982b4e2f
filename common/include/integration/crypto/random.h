// Random bytes from OpenSSL's CSPRNG, for secrets and identifiers that must be unguessable.
#pragma once

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"

namespace integration::crypto {

// `count` random bytes; INTERNAL when the CSPRNG fails (it is then not seeded).
absl::StatusOr<std::string> RandomBytes(std::size_t count);

}  // namespace integration::crypto
