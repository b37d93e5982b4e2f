// Follow-up reports (återrapportering): the stored names of report types and states, when a
// report is overdue, what a submission must contain and what use the board may accept. Pure
// functions, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "lansstyrelsen/integration/grants/v1/grants_service.pb.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

// ErrorInfo reasons of the report transitions.
// FAILED_PRECONDITION: only DUE and RETURNED reports can be submitted.
inline constexpr std::string_view kReasonReportNotOpen = "REPORT_NOT_OPEN";
// Participant figures typed into a report whose figures come from early_measures, and differ.
inline constexpr std::string_view kReasonParticipantsFromEarlyMeasures =
    "PARTICIPANTS_FROM_EARLY_MEASURES";
// FAILED_PRECONDITION: only SUBMITTED reports can be accepted or returned.
inline constexpr std::string_view kReasonReportNotSubmitted = "REPORT_NOT_SUBMITTED";
// INVALID_ARGUMENT: the accepted use exceeds the use the applicant reported.
inline constexpr std::string_view kReasonAcceptedAboveUsed = "ACCEPTED_ABOVE_USED";

// Longest free texts of a report (activities, outcomes) and of an officer's comment, in bytes.
inline constexpr size_t kMaxReportTextBytes = 20000;
inline constexpr size_t kMaxReportCommentBytes = 4000;

// The enum names as stored in reports.report_type / reports.state ("FINAL", "DUE"); "" for
// UNSPECIFIED. The reverse gives UNSPECIFIED for anything unknown.
std::string_view ReportTypeText(v1::ReportType type);
v1::ReportType ReportTypeOf(std::string_view stored);
std::string_view ReportStateText(v1::ReportState state);
v1::ReportState ReportStateOf(std::string_view stored);

// FINAL and FINANCIAL reports account for the money used in the whole project; reclaims are
// computed from them.
bool IsAccountingReport(v1::ReportType type);

// Whether the applicant still owes the report: DUE, or RETURNED for completion.
bool IsReportOpen(v1::ReportState state);

// A report is overdue on `today` (a Stockholm calendar day) when its due date has passed and
// it is still owed: the due date itself is the last day on time.
bool IsReportOverdue(v1::ReportState state, absl::CivilDay due_date, absl::CivilDay today);

// Checks the contents of a submitted report of `type` (fields named "report.<field>"):
// used_amount not negative, and required for FINAL and FINANCIAL reports; activities and
// outcomes required for FINAL, ACTIVITY and INTERIM reports; participant counts not negative;
// texts at most kMaxReportTextBytes. INVALID_ARGUMENT listing every violation.
absl::Status CheckReportSubmission(v1::ReportType type, const v1::Report& report);

// The use the board accepts: all of `used_ore` when the request leaves accepted_amount unset,
// else the given amount, which must not be negative (INVALID_ARGUMENT on accepted_amount) nor
// above the reported use (INVALID_ARGUMENT ACCEPTED_ABOVE_USED). Also checks the comment's
// length.
absl::StatusOr<int64_t> AcceptedReportAmount(const v1::AcceptReportRequest& request,
                                             int64_t used_ore);

// ReturnReport needs a comment saying what to complete (INVALID_ARGUMENT on "comment").
absl::Status CheckReportReturn(const v1::ReturnReportRequest& request);

}  // namespace integration::grants
