// String helpers of the harness: this Abseil's absl::string_view is its own type, not
// std::string_view, so std views are converted before they reach absl::StrCat and friends.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace integration::bench {

inline absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace integration::bench
