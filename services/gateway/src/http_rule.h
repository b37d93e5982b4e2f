// The gateway's view of google.api.http path templates: the one parser of the segment grammar
// lives in common/names (shared with every service's resource names); the gateway matches
// request paths with it.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"
#include "integration/names/path_template.h"

namespace integration::gateway {

// Abseil here is built with its own string_view type; these convert without copying.
inline absl::string_view ToAbsl(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view ToStd(absl::string_view s) { return {s.data(), s.size()}; }

using names::PathTemplate;
using names::PercentDecode;
using names::TemplateSegment;
using names::TemplateVariable;

}  // namespace integration::gateway
