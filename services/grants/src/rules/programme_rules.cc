// Rules of grant programmes: required fields, applicant types and required reports.
#include "rules/programme_rules.h"

#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "integration/se/kommun.h"
#include "integration/status/status.h"

namespace integration::grants {
namespace {

// Whether `text` is empty or only ASCII white space.
bool Blank(std::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

void CheckText(status::FieldErrors& errors, const std::string& field, std::string_view text,
               size_t max_bytes, bool required) {
  if (required && Blank(text)) {
    errors.Add(field, "required");
  } else if (text.size() > max_bytes) {
    errors.Add(field, absl::StrCat("at most ", max_bytes, " bytes"));
  }
}

}  // namespace

absl::Status ValidateProgramme(const v1::Programme& programme, std::string_view field) {
  status::FieldErrors errors;
  const std::string base(field);
  CheckText(errors, base + ".display_name", programme.display_name(), kMaxProgrammeTextBytes, true);
  CheckText(errors, base + ".legal_basis", programme.legal_basis(), kMaxProgrammeTextBytes, true);
  CheckText(errors, base + ".description", programme.description(), kMaxProgrammeDescriptionBytes,
            false);

  if (!programme.lanskod().empty() && !se::ValidateLanskod(programme.lanskod()).ok()) {
    errors.Add(base + ".lanskod",
               "must be the länskod of a county (e.g. \"03\"), or empty for a national programme");
  }
  if (programme.eligible_applicant_types_size() == 0) {
    errors.Add(base + ".eligible_applicant_types", "at least one applicant type is required");
  }
  std::set<int> types;
  for (int i = 0; i < programme.eligible_applicant_types_size(); ++i) {
    const int type = programme.eligible_applicant_types(i);
    const std::string f = absl::StrCat(base, ".eligible_applicant_types[", i, "]");
    if (type == v1::APPLICANT_TYPE_UNSPECIFIED || !v1::ApplicantType_IsValid(type)) {
      errors.Add(f, "must be a known applicant type");
    } else if (!types.insert(type).second) {
      errors.Add(f, absl::StrCat(v1::ApplicantType_Name(type), " is listed twice"));
    }
  }

  std::set<int> reports;
  for (int i = 0; i < programme.required_reports_size(); ++i) {
    const v1::ReportRequirement& r = programme.required_reports(i);
    const std::string f = absl::StrCat(base, ".required_reports[", i, "]");
    if (r.type() == v1::REPORT_TYPE_UNSPECIFIED || !v1::ReportType_IsValid(r.type())) {
      errors.Add(f + ".type", "must be a known report type");
    } else if (!reports.insert(r.type()).second) {
      errors.Add(f + ".type",
                 absl::StrCat(v1::ReportType_Name(r.type()), " is required only once"));
    }
    if (r.anchor() == v1::REPORT_ANCHOR_UNSPECIFIED || !v1::ReportAnchor_IsValid(r.anchor())) {
      errors.Add(f + ".anchor", "must be PROJECT_START or PROJECT_END");
    }
    if (r.months_after() < 0 || r.months_after() > kMaxReportMonthsAfter) {
      errors.Add(f + ".months_after", absl::StrCat("must be 0-", kMaxReportMonthsAfter));
    }
  }
  return errors.ToStatus(kReasonProgrammeInvalid);
}

bool IsEligible(const v1::Programme& programme, v1::ApplicantType type) {
  for (int t : programme.eligible_applicant_types()) {
    if (t == type) return true;
  }
  return false;
}

}  // namespace integration::grants
