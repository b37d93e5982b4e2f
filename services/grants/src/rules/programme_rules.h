// Rules of grant programmes: which fields a programme must have and what its applicant types
// and required reports may be. Pure functions, no I/O.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

// ErrorInfo reason of an invalid programme (INVALID_ARGUMENT with one violation per field).
inline constexpr std::string_view kReasonProgrammeInvalid = "PROGRAMME_INVALID";

inline constexpr size_t kMaxProgrammeTextBytes = 300;
inline constexpr size_t kMaxProgrammeDescriptionBytes = 10000;
inline constexpr int kMaxReportMonthsAfter = 36;

// Checks the fields an administrator writes (not the name): display_name and legal_basis
// required, at least one eligible applicant type without UNSPECIFIED or repetitions, required
// reports with a type, an anchor, months_after 0-36 and each type at most once. Violations are
// named "<field>.display_name", "<field>.required_reports[1].months_after", ...
absl::Status ValidateProgramme(const v1::Programme& programme, std::string_view field);

// Whether `type` is one of the programme's eligible applicant types.
bool IsEligible(const v1::Programme& programme, v1::ApplicantType type);

}  // namespace integration::grants
