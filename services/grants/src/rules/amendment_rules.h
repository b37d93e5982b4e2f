// Amendments of approved projects: what a request must contain (a new period inside the call's
// funding period and/or a complete new budget summing to the approved amount) and what a
// decision needs. Pure functions, no I/O. (The due dates of reports after a period change come
// from decision_rules.h RequiredReports, the rule that created them.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lansstyrelsen/integration/grants/v1/grants_service.pb.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"
#include "rules/values_rules.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

// INVALID_ARGUMENT: neither a new project_period nor a new budget.
inline constexpr std::string_view kReasonAmendmentEmpty = "AMENDMENT_EMPTY";
// INVALID_ARGUMENT: the new period is not inside the call's funding period.
inline constexpr std::string_view kReasonAmendmentPeriodOutside = "PERIOD_OUTSIDE_FUNDING_PERIOD";
// INVALID_ARGUMENT: the new budget lines do not sum to the approved amount.
inline constexpr std::string_view kReasonAmendmentBudgetMismatch = "BUDGET_LINES_SUM_MISMATCH";
// FAILED_PRECONDITION: amendments are for approved applications only.
inline constexpr std::string_view kReasonAmendmentNotApproved = "APPLICATION_NOT_APPROVED";
// FAILED_PRECONDITION, metadata {application, amendment}: one REQUESTED amendment at a time.
inline constexpr std::string_view kReasonAmendmentPending = "AMENDMENT_PENDING";
// FAILED_PRECONDITION: only REQUESTED amendments can be decided.
inline constexpr std::string_view kReasonAmendmentNotRequested = "AMENDMENT_NOT_REQUESTED";

inline constexpr size_t kMaxAmendmentTextBytes = 4000;
inline constexpr int kMaxAmendmentBudgetLines = 100;

// The enum names as stored ("REQUESTED"); "" for UNSPECIFIED and UNSPECIFIED for unknown text.
std::string_view AmendmentStateText(v1::AmendmentState state);
v1::AmendmentState AmendmentStateOf(std::string_view stored);

// What a valid request changes.
struct AmendmentChange {
  std::optional<Period> period;          // the new project period, when it changes
  std::optional<v1::BudgetPlan> budget;  // the complete new budget, when it changes
};

// Checks CreateAmendment's amendment (fields "amendment.*") against the call's funding period
// and the approved amount, in this order: nothing to change (AMENDMENT_EMPTY); malformed
// fields (INVALID_FIELD: reason required, period dates, budget lines with a category, a
// description of at most 500 bytes and a positive amount, 1-100 lines); the period outside the
// funding period (PERIOD_OUTSIDE_FUNDING_PERIOD) and the lines not summing exactly to
// `approved_ore` (BUDGET_LINES_SUM_MISMATCH), the latter two reported together.
absl::StatusOr<AmendmentChange> CheckAmendmentRequest(const v1::Amendment& amendment,
                                                      const Period& funding, int64_t approved_ore);

// DecideAmendment's fields: a comment is required when rejecting; at most 4000 bytes.
absl::Status CheckAmendmentDecision(const v1::DecideAmendmentRequest& request);

}  // namespace integration::grants
