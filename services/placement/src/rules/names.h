// The resource names of the placement service, printed and parsed in this one place (so that
// a suite-wide resource-name type can replace it without touching the handlers):
// "counties/{lanskod}", "counties/{lanskod}/allocationKeys/{year}" and "children/{child}".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace integration::placement {

// ErrorInfo reason of a malformed name (INVALID_ARGUMENT with a violation on the field).
inline constexpr std::string_view kReasonNameInvalid = "NAME_INVALID";

// Allocation keys exist for these years only (a sanity bound on the name, not a rule).
inline constexpr int kMinKeyYear = 2000;
inline constexpr int kMaxKeyYear = 2100;

struct AllocationKeyId {
  std::string lanskod;
  int year = 0;
};

std::string CountyName(std::string_view lanskod);
std::string AllocationKeyName(std::string_view lanskod, int year);
std::string ChildName(int64_t child_id);

// The länskod of "counties/{lanskod}"; the code must be a known county (LANSKOD_UNKNOWN
// otherwise). `field` names the request field in the violation.
absl::StatusOr<std::string> ParseCountyName(std::string_view name, std::string_view field);
absl::StatusOr<AllocationKeyId> ParseAllocationKeyName(std::string_view name,
                                                       std::string_view field);
// The positive id of "children/{child}".
absl::StatusOr<int64_t> ParseChildName(std::string_view name, std::string_view field);

}  // namespace integration::placement
