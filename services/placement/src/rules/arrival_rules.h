// What an arrival report must hold and which county handles the child. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "lansstyrelsen/integration/placement/v1/resources.pb.h"

namespace integration::placement {

namespace v1 = ::lansstyrelsen::integration::placement::v1;

// ErrorInfo reason of an invalid arrival (INVALID_ARGUMENT with one violation per field).
inline constexpr std::string_view kReasonArrivalInvalid = "ARRIVAL_INVALID";

// Unaccompanied children are minors.
inline constexpr int kAdultAge = 18;
inline constexpr int kMaxLanguages = 10;
inline constexpr size_t kMaxNeedsBytes = 4000;
inline constexpr size_t kMaxSiblingGroupBytes = 40;

// A checked arrival.
struct CheckedArrival {
  v1::Arrival arrival;         // as given, the dossier number in its "NN-NNNNNN" form
  std::string dossier_number;  // "NN-NNNNNN" (a card serial is not part of it)
  absl::CivilDay arrival_date;
  // The county whose board handles the child: the strong-link kommun's, else the arrival
  // kommun's (a sibling already assigned elsewhere overrides it; see DecideAssignment).
  std::string lanskod;
};

// An ISO 639 code as the service takes them: 2-3 lower-case ASCII letters ("ar", "prs").
bool IsLanguageCode(std::string_view code);

// Checks a report made on `today`: a valid dossier number; a birth date (a real day, on or
// before the arrival, under 18 on it) or an assessed age 0-17; a sex; at most 10 distinct
// ISO 639 language codes (2-3 lower-case letters); needs of at most 4000 bytes; a sibling group
// of 1-40 letters, digits or '-' when given; a known strong-link kommun when given; a known
// arrival kommun; an arrival date not after `today`. Violations are named "<field>.sex", ...
absl::StatusOr<CheckedArrival> CheckArrival(const v1::Arrival& arrival, absl::CivilDay today,
                                            std::string_view field);

// The child's age in whole years on `on`: from the birth date, or the assessed age on the
// arrival date plus the years since.
int ChildAgeOn(const v1::Arrival& arrival, absl::CivilDay on);

}  // namespace integration::placement
