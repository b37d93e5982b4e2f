// The target group of civic orientation (förordning 2010:1138, DOMAIN.md §3): who a kommun must
// offer the course to on a given day, with every reason a person falls outside it. Pure.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "lansstyrelsen/integration/orientation/v1/resources.pb.h"

namespace integration::orientation {

namespace v1 = ::lansstyrelsen::integration::orientation::v1;

// The adult age the target group starts at.
inline constexpr int kMinimumAge = 18;
// The kommun's duty ends this many years after the first registration in Sweden.
inline constexpr int kDutyYears = 3;
// INVALID_ARGUMENT reason of a refused enrolment; each failing reason is a field violation.
inline constexpr std::string_view kReasonNotEligible = "NOT_ELIGIBLE";

// What the check looks at, of the person and of the enrolment.
struct EligibilityFacts {
  absl::CivilDay birth_date;
  absl::CivilDay enrol_date;
  // The pension reference age (riktålder för pension) in force on enrol_date.
  int pension_reference_age = 0;
  v1::PermitType permit = v1::PERMIT_TYPE_UNSPECIFIED;
  absl::CivilDay first_registration_date;
  absl::CivilDay registration_date;
  std::vector<std::string> citizenships;  // ISO 3166-1 alpha-2
  std::string registered_kommunkod;       // where the person is registered
  std::string enrolling_kommunkod;        // the kommun enrolling
};

// One failing reason: its code, the field of the participant or enrolment it is about, and a
// description a kommun officer can act on (free of the identity number).
struct Ineligibility {
  v1::IneligibilityReason reason;
  std::string field;
  std::string description;
};

// Every reason `facts` fall outside the target group, in the order of the enum; empty when the
// person is eligible. The rules, at their edges:
// - age: at least 18 on the enrolment date (eligible on the 18th birthday) and below the
//   pension reference age (ineligible from the birthday it is reached);
// - permit: protection or family member of a protected person;
// - window: the duty ends on the third anniversary of the first registration (29 February:
//   1 March); an enrolment on that day or later is outside it;
// - citizenship: no citizenship of an EEA state or Switzerland;
// - registration: registered in the enrolling kommun, on or before the enrolment date.
std::vector<Ineligibility> CheckEligibility(const EligibilityFacts& facts);

// INVALID_ARGUMENT NOT_ELIGIBLE with one violation per reason (description prefixed by the
// reason code, e.g. "INELIGIBILITY_REASON_PERMIT_NOT_ELIGIBLE: ...") and ErrorInfo metadata
// "reasons" listing the codes comma-separated. OK when `failures` is empty.
absl::Status NotEligibleStatus(const std::vector<Ineligibility>& failures);

// Whether `country` (ISO 3166-1 alpha-2, upper case) is an EEA state or Switzerland.
bool IsEeaOrSwiss(std::string_view country);

// The pension reference ages by the year they apply from, e.g. {{2023, 66}, {2026, 67}}: the
// setting --pension-reference-ages ("2023:66,2026:67"). INVALID_ARGUMENT naming the setting
// when malformed (years ascending, ages 60-75).
absl::StatusOr<std::map<int, int>> ParsePensionReferenceAges(std::string_view text);
// The age applying in `year`: the entry of the latest year not after it (the earliest entry
// for a year before every entry). `ages` is not empty.
int PensionReferenceAgeIn(const std::map<int, int>& ages, int year);

}  // namespace integration::orientation
