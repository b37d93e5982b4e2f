// Small character helpers shared by the Swedish identifier parsers (internal to integration_se).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/strings/ascii.h"

namespace integration::se::internal {

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

inline bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return !s.empty();
}

// The value of a run of at most 18 ASCII digits (so it fits int64); nullopt otherwise.
inline std::optional<int64_t> DigitsValue(std::string_view s) {
  if (s.empty() || s.size() > 18 || !AllDigits(s)) return std::nullopt;
  int64_t value = 0;
  for (char c : s) value = value * 10 + (c - '0');
  return value;
}

// Input from forms and files often carries stray surrounding whitespace; inner spaces are
// never accepted.
inline std::string_view Trim(std::string_view s) { return absl::StripAsciiWhitespace(s); }

}  // namespace integration::se::internal
