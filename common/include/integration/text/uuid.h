// UUIDs in their canonical text form (RFC 4122 8-4-4-4-12 hex): new random ones and checks of
// ids that come from outside (event ids, request ids).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace integration::text {

// A new random (version 4) UUID, lowercase, from the operating system's CSPRNG (getrandom).
// INTERNAL when the system cannot provide randomness.
absl::StatusOr<std::string> NewUuid();

// The lowercase form of a UUID written in canonical 8-4-4-4-12 form (hex digits of either
// case), or nullopt for anything else: braces, missing dashes, other lengths, non-hex digits.
std::optional<std::string> NormalizeUuid(std::string_view text);

// Whether `text` is a UUID in canonical 8-4-4-4-12 form (hex digits of either case).
inline bool IsCanonicalUuid(std::string_view text) { return NormalizeUuid(text).has_value(); }

}  // namespace integration::text
