// Bridges std::string_view to absl::string_view, which are distinct types in this Abseil build
// (ABSL_OPTION_USE_STD_STRING_VIEW is 0), for StrCat and hash-map look-ups.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace integration::grpc::internal {

inline absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace integration::grpc::internal
