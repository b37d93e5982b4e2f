// Small character helpers shared by the Swedish identifier parsers (internal to integration_se).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/strings/string_view.h"

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

inline bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Input from forms and files often carries stray surrounding whitespace; inner spaces are
// never accepted.
inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Debian's Abseil has its own string_view type, distinct from std::string_view.
inline absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }
inline std::string_view Sv(absl::string_view s) { return std::string_view(s.data(), s.size()); }

}  // namespace integration::se::internal
