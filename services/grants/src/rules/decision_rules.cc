// Decision rules: request checks, approved amounts, the budget check, required reports and
// coverage of periods.
#include "rules/decision_rules.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "integration/status/status.h"

namespace integration::grants {
namespace {

bool HasControl(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n' || c == '\r' || c == '\t') continue;
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

absl::Status AmountError(std::string_view reason, std::string_view description) {
  return status::Error(absl::StatusCode::kInvalidArgument, reason, description, {},
                       {{"approved_amount", std::string(description)}});
}

}  // namespace

absl::Status CheckDecisionRequest(const v1::DecideApplicationRequest& req) {
  status::FieldErrors errors;
  if (req.outcome() == v1::DECISION_OUTCOME_UNSPECIFIED ||
      !v1::DecisionOutcome_IsValid(req.outcome())) {
    errors.Add("outcome", "required: APPROVED, PARTIALLY_APPROVED or REJECTED");
  }
  if (req.conditions().empty()) {
    errors.Add("conditions", "required: the conditions of the grant or the grounds of a rejection");
  } else if (req.conditions().size() > kMaxConditionsBytes || HasControl(req.conditions())) {
    errors.Add("conditions",
               absl::StrCat("at most ", kMaxConditionsBytes, " bytes without control characters"));
  }
  if (req.has_approved_amount() && req.approved_amount().ore() < 0) {
    errors.Add("approved_amount", "must not be negative");
  }
  return errors.ToStatus(kReasonDecisionInvalid);
}

absl::StatusOr<int64_t> DecidedAmount(v1::DecisionOutcome outcome, bool has_amount,
                                      int64_t amount_ore, int64_t requested_ore) {
  if (has_amount && amount_ore < 0)
    return AmountError(kReasonDecisionInvalid, "must not be negative");
  if (has_amount && amount_ore > requested_ore) {
    return AmountError(kReasonApprovedAboveRequested,
                       absl::StrCat("more than the requested ", FormatKronor(requested_ore),
                                    " cannot be approved"));
  }
  switch (outcome) {
    case v1::DECISION_OUTCOME_APPROVED:
      if (requested_ore <= 0) {
        return AmountError(kReasonDecisionInvalid,
                           "the application requests nothing; it can only be rejected");
      }
      if (has_amount && amount_ore != requested_ore) {
        return AmountError(
            kReasonDecisionInvalid,
            absl::StrCat("APPROVED grants the requested ", FormatKronor(requested_ore),
                         "; approve less with PARTIALLY_APPROVED"));
      }
      return requested_ore;
    case v1::DECISION_OUTCOME_PARTIALLY_APPROVED:
      if (!has_amount || amount_ore == 0) {
        return AmountError(kReasonDecisionInvalid,
                           "PARTIALLY_APPROVED needs the approved amount (more than zero)");
      }
      if (amount_ore == requested_ore) {
        return AmountError(kReasonDecisionInvalid,
                           "the whole requested amount is APPROVED, not PARTIALLY_APPROVED");
      }
      return amount_ore;
    case v1::DECISION_OUTCOME_REJECTED:
      if (has_amount && amount_ore != 0) {
        return AmountError(kReasonDecisionInvalid, "a rejection approves nothing: leave it unset");
      }
      return int64_t{0};
    default:
      return status::InvalidField("outcome", "required: APPROVED, PARTIALLY_APPROVED or REJECTED",
                                  kReasonDecisionInvalid);
  }
}

absl::Status CheckWithinBudget(std::string_view call_name, int64_t budget_ore,
                               int64_t approved_total_ore, int64_t approval_ore) {
  const std::optional<int64_t> total = CheckedAdd(approved_total_ore, approval_ore);
  if (total && *total <= budget_ore) return absl::OkStatus();
  const int64_t remaining = budget_ore > approved_total_ore ? budget_ore - approved_total_ore : 0;
  return status::FailedPrecondition(
      kReasonCallBudgetExceeded,
      absl::StrCat("approving ", FormatKronor(approval_ore), " would exceed the budget of ",
                   std::string(call_name), ": ", FormatKronor(remaining), " of ",
                   FormatKronor(budget_ore), " remain"),
      {{"call", std::string(call_name)},
       {"budget_ore", absl::StrCat(budget_ore)},
       {"approved_total_ore", absl::StrCat(approved_total_ore)},
       {"requested_approval_ore", absl::StrCat(approval_ore)},
       {"remaining_ore", absl::StrCat(remaining)}});
}

absl::StatusOr<std::vector<DueReport>> RequiredReports(const v1::Programme& programme,
                                                       const Period& project) {
  std::vector<DueReport> out;
  std::set<int> types;
  for (const v1::ReportRequirement& r : programme.required_reports()) {
    if (r.type() == v1::REPORT_TYPE_UNSPECIFIED || !v1::ReportType_IsValid(r.type())) {
      return status::Internal("a programme's report requirement has no valid type");
    }
    if (r.months_after() < 0 || r.months_after() > 36) {
      return status::Internal("a programme's report requirement is outside 0-36 months");
    }
    absl::CivilDay anchor;
    switch (r.anchor()) {
      case v1::REPORT_ANCHOR_PROJECT_START:
        anchor = project.start;
        break;
      case v1::REPORT_ANCHOR_PROJECT_END:
        anchor = project.end;
        break;
      default:
        return status::Internal("a programme's report requirement has no valid anchor");
    }
    if (!types.insert(r.type()).second) continue;
    out.push_back({r.type(), AddMonths(anchor, r.months_after())});
  }
  return out;
}

bool PeriodsCover(std::vector<Period> periods, const Period& asked) {
  std::sort(periods.begin(), periods.end(),
            [](const Period& a, const Period& b) { return a.start < b.start; });
  absl::CivilDay next = asked.start;  // the first day not yet covered
  for (const Period& p : periods) {
    if (p.start > next) break;  // a gap before this period (and every later one)
    if (p.end >= next) next = p.end + 1;
    if (next > asked.end) return true;
  }
  return next > asked.end;
}

}  // namespace integration::grants
