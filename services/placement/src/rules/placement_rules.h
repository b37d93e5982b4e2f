// Placement units and placements: what a valid unit is, whether a child fits a unit, and the
// placement state machine. Pure functions, no I/O.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "lansstyrelsen/integration/placement/v1/resources.pb.h"

namespace integration::placement {

namespace v1 = ::lansstyrelsen::integration::placement::v1;

// ErrorInfo reasons.
inline constexpr std::string_view kReasonUnitInvalid = "UNIT_INVALID";  // INVALID_ARGUMENT
// FAILED_PRECONDITION: the child does not fit the unit.
inline constexpr std::string_view kReasonAgeOutsideUnit = "AGE_OUTSIDE_UNIT";
inline constexpr std::string_view kReasonSexNotAccepted = "SEX_NOT_ACCEPTED";
// FAILED_PRECONDITION: the transition is not allowed from the placement's state.
inline constexpr std::string_view kReasonPlacementState = "PLACEMENT_STATE";

inline constexpr int kMaxUnitPlaces = 200;
// Placements of unaccompanied minors can last until the young person turns 21.
inline constexpr int kMaxUnitAge = 20;
// Stödboende is for ages 16-20; under 18 only with a special reason.
inline constexpr int kStodboendeMinAge = 16;
inline constexpr int kAdultAgeForUnits = 18;
inline constexpr size_t kMaxUnitTextBytes = 200;
inline constexpr size_t kMinReasonBytes = 3;
inline constexpr size_t kMaxReasonBytes = 1000;
inline constexpr int kMaxUnitLanguages = 10;

// Checks the fields a kommun keeps (not the name, not the output fields): a display name of
// 1-200 bytes; a type; places 1-200; ages 0-20 with min_age <= max_age; a stödboende for ages
// 16-20 only, and with a special reason of 3-1000 bytes when it takes children under 18 (other
// types carry none); distinct sexes without UNSPECIFIED; at most 10 distinct ISO 639 language
// codes. Violations are named "<field>.places", ...
absl::Status CheckUnit(const v1::Unit& unit, std::string_view field);

// Whether a child of `age` and `sex` fits `unit`: AGE_OUTSIDE_UNIT, SEX_NOT_ACCEPTED.
absl::Status CheckFit(int age, v1::Sex sex, const v1::Unit& unit);

// Whether a placement may go from `from` to `to`: PROPOSED → CONFIRMED → ACTIVE, and any
// state but ENDED → ENDED. PLACEMENT_STATE otherwise, naming `name`.
absl::Status CheckPlacementTransition(v1::PlacementState from, v1::PlacementState to,
                                      std::string_view name);

}  // namespace integration::placement
