// Follow-up report rules: stored names, overdue, submission contents and acceptance amounts.
#include "rules/report_rules.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "integration/status/status.h"
#include "rules/values_rules.h"

namespace integration::grants {
namespace {

bool Blank(std::string_view text) {
  return absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size())).empty();
}

void CheckText(std::string_view text, bool required, size_t max_bytes, std::string_view field,
               status::FieldErrors& errors) {
  if (required && Blank(text)) {
    errors.Add(field, "required");
  } else if (text.size() > max_bytes) {
    errors.Add(field, absl::StrCat("at most ", max_bytes, " bytes"));
  }
}

}  // namespace

std::string_view ReportTypeText(v1::ReportType type) {
  switch (type) {
    case v1::REPORT_TYPE_INTERIM:
      return "INTERIM";
    case v1::REPORT_TYPE_FINAL:
      return "FINAL";
    case v1::REPORT_TYPE_FINANCIAL:
      return "FINANCIAL";
    case v1::REPORT_TYPE_ACTIVITY:
      return "ACTIVITY";
    default:
      return "";
  }
}

v1::ReportType ReportTypeOf(std::string_view stored) {
  if (stored == "INTERIM") return v1::REPORT_TYPE_INTERIM;
  if (stored == "FINAL") return v1::REPORT_TYPE_FINAL;
  if (stored == "FINANCIAL") return v1::REPORT_TYPE_FINANCIAL;
  if (stored == "ACTIVITY") return v1::REPORT_TYPE_ACTIVITY;
  return v1::REPORT_TYPE_UNSPECIFIED;
}

std::string_view ReportStateText(v1::ReportState state) {
  switch (state) {
    case v1::REPORT_STATE_DUE:
      return "DUE";
    case v1::REPORT_STATE_SUBMITTED:
      return "SUBMITTED";
    case v1::REPORT_STATE_ACCEPTED:
      return "ACCEPTED";
    case v1::REPORT_STATE_RETURNED:
      return "RETURNED";
    default:
      return "";
  }
}

v1::ReportState ReportStateOf(std::string_view stored) {
  if (stored == "DUE") return v1::REPORT_STATE_DUE;
  if (stored == "SUBMITTED") return v1::REPORT_STATE_SUBMITTED;
  if (stored == "ACCEPTED") return v1::REPORT_STATE_ACCEPTED;
  if (stored == "RETURNED") return v1::REPORT_STATE_RETURNED;
  return v1::REPORT_STATE_UNSPECIFIED;
}

bool IsAccountingReport(v1::ReportType type) {
  return type == v1::REPORT_TYPE_FINAL || type == v1::REPORT_TYPE_FINANCIAL;
}

bool IsReportOpen(v1::ReportState state) {
  return state == v1::REPORT_STATE_DUE || state == v1::REPORT_STATE_RETURNED;
}

bool IsReportOverdue(v1::ReportState state, absl::CivilDay due_date, absl::CivilDay today) {
  return IsReportOpen(state) && due_date < today;
}

absl::Status CheckReportSubmission(v1::ReportType type, const v1::Report& report) {
  status::FieldErrors errors;
  if (report.has_used_amount()) {
    if (report.used_amount().ore() < 0) {
      errors.Add("report.used_amount.ore", "must not be negative");
    }
  } else if (IsAccountingReport(type)) {
    errors.Add("report.used_amount",
               absl::StrCat("required: a ", std::string(ReportTypeText(type)),
                            " report states the money used in the project, in öre"));
  }
  // Financial reports carry money only; the others describe what was done and achieved.
  const bool narrative = type != v1::REPORT_TYPE_FINANCIAL;
  CheckText(report.activities(), narrative, kMaxReportTextBytes, "report.activities", errors);
  CheckText(report.outcomes(), narrative, kMaxReportTextBytes, "report.outcomes", errors);
  const v1::Participants& p = report.participants();
  if (p.women() < 0) errors.Add("report.participants.women", "must not be negative");
  if (p.men() < 0) errors.Add("report.participants.men", "must not be negative");
  if (p.other() < 0) errors.Add("report.participants.other", "must not be negative");
  return errors.ToStatus();
}

absl::StatusOr<int64_t> AcceptedReportAmount(const v1::AcceptReportRequest& request,
                                             int64_t used_ore) {
  status::FieldErrors errors;
  CheckText(request.comment(), false, kMaxReportCommentBytes, "comment", errors);
  if (!request.has_accepted_amount()) {
    if (!errors.empty()) return errors.ToStatus();
    return used_ore;
  }
  const int64_t accepted = request.accepted_amount().ore();
  if (accepted < 0) errors.Add("accepted_amount.ore", "must not be negative");
  if (!errors.empty()) return errors.ToStatus();
  if (accepted > used_ore) {
    return status::Error(
        absl::StatusCode::kInvalidArgument, kReasonAcceptedAboveUsed,
        absl::StrCat("the accepted use ", FormatKronor(accepted),
                     " exceeds the use the applicant reported, ", FormatKronor(used_ore)),
        {{"accepted_ore", absl::StrCat(accepted)}, {"used_ore", absl::StrCat(used_ore)}},
        {{"accepted_amount.ore", absl::StrCat("at most the reported use ", used_ore, " öre")}});
  }
  return accepted;
}

absl::Status CheckReportReturn(const v1::ReturnReportRequest& request) {
  status::FieldErrors errors;
  CheckText(request.comment(), true, kMaxReportCommentBytes, "comment", errors);
  return errors.ToStatus();
}

}  // namespace integration::grants
