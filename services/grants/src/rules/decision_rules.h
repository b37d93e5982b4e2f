// Decision rules of the grants service: what a decision request may say, the approved amount
// of each outcome, the call budget check, the reports an approval creates, and whether
// approved project periods cover a period (CheckFunding). Pure functions, no I/O; money is
// int64 öre with checked sums.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "lansstyrelsen/integration/grants/v1/grants_service.pb.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"
#include "rules/values_rules.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

// ErrorInfo reasons.
inline constexpr std::string_view kReasonDecisionInvalid = "DECISION_INVALID";  // 400
inline constexpr std::string_view kReasonApprovedAboveRequested = "APPROVED_ABOVE_REQUESTED";
inline constexpr std::string_view kReasonNotDecidable = "APPLICATION_NOT_DECIDABLE";    // 412
inline constexpr std::string_view kReasonCallBudgetExceeded = "CALL_BUDGET_EXCEEDED";   // 412
inline constexpr std::string_view kReasonPeriodMissing = "APPLICATION_PERIOD_MISSING";  // 412

inline constexpr size_t kMaxConditionsBytes = 20000;

// What the request alone must satisfy: a known outcome, conditions text (1 to 20000 bytes),
// an approved amount that is not negative. INVALID_ARGUMENT DECISION_INVALID naming
// "outcome", "conditions", "approved_amount".
absl::Status CheckDecisionRequest(const v1::DecideApplicationRequest& req);

// The amount a decision approves of `requested_ore`:
//  - APPROVED: the requested amount (approved_amount unset, or equal to it);
//  - PARTIALLY_APPROVED: 0 < approved_amount < requested;
//  - REJECTED: 0 (approved_amount unset or zero).
// More than requested is INVALID_ARGUMENT APPROVED_ABOVE_REQUESTED; any other mismatch
// INVALID_ARGUMENT DECISION_INVALID; both with a violation on "approved_amount".
absl::StatusOr<int64_t> DecidedAmount(v1::DecisionOutcome outcome, bool has_amount,
                                      int64_t amount_ore, int64_t requested_ore);

// OK when approving `approval_ore` keeps the call's approved total within its budget;
// FAILED_PRECONDITION CALL_BUDGET_EXCEEDED with metadata {call, budget_ore,
// approved_total_ore, requested_approval_ore, remaining_ore} otherwise (an overflowing sum
// exceeds any budget).
absl::Status CheckWithinBudget(std::string_view call_name, int64_t budget_ore,
                               int64_t approved_total_ore, int64_t approval_ore);

// A report an approved application owes.
struct DueReport {
  v1::ReportType type = v1::REPORT_TYPE_UNSPECIFIED;
  absl::CivilDay due;
};
// The reports of the programme's requirements for a project of `project`: due date =
// anchor day + months_after (AddMonths), one per report type (the first requirement of a
// type wins), in the programme's order. Requirements with an unknown type or anchor or months
// outside 0-36 are INTERNAL: programmes are validated when they are written.
absl::StatusOr<std::vector<DueReport>> RequiredReports(const v1::Programme& programme,
                                                       const Period& project);

// Whether `periods` together cover every day of `asked`: adjacent periods (one ends the day
// before the next starts) join, gaps of a day or more do not.
bool PeriodsCover(std::vector<Period> periods, const Period& asked);

}  // namespace integration::grants
