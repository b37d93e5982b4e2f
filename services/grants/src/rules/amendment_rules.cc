// Amendment rules: the fields of a request and of a decision.
#include "rules/amendment_rules.h"

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "integration/status/status.h"

namespace integration::grants {
namespace {

constexpr size_t kMaxBudgetLineDescriptionBytes = 500;

bool Blank(std::string_view text) {
  return absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size())).empty();
}

}  // namespace

std::string_view AmendmentStateText(v1::AmendmentState state) {
  switch (state) {
    case v1::AMENDMENT_STATE_REQUESTED:
      return "REQUESTED";
    case v1::AMENDMENT_STATE_APPROVED:
      return "APPROVED";
    case v1::AMENDMENT_STATE_REJECTED:
      return "REJECTED";
    default:
      return "";
  }
}

v1::AmendmentState AmendmentStateOf(std::string_view stored) {
  if (stored == "REQUESTED") return v1::AMENDMENT_STATE_REQUESTED;
  if (stored == "APPROVED") return v1::AMENDMENT_STATE_APPROVED;
  if (stored == "REJECTED") return v1::AMENDMENT_STATE_REJECTED;
  return v1::AMENDMENT_STATE_UNSPECIFIED;
}

absl::StatusOr<AmendmentChange> CheckAmendmentRequest(const v1::Amendment& amendment,
                                                      const Period& funding, int64_t approved_ore) {
  if (!amendment.has_project_period() && !amendment.has_budget()) {
    status::FieldErrors empty;
    empty.Add("amendment", "request a new project_period, a new budget, or both");
    return empty.ToStatus(kReasonAmendmentEmpty);
  }

  status::FieldErrors errors;
  if (Blank(amendment.reason())) {
    errors.Add("amendment.reason", "required: why the change is needed");
  } else if (amendment.reason().size() > kMaxAmendmentTextBytes) {
    errors.Add("amendment.reason", absl::StrCat("at most ", kMaxAmendmentTextBytes, " bytes"));
  }
  AmendmentChange change;
  if (amendment.has_project_period()) {
    change.period = CheckPeriod(amendment.project_period(), "amendment.project_period", errors);
  }
  // Overflow of the sum is reported as a mismatch below: no plan sums past int64.
  std::optional<int64_t> sum = 0;
  if (amendment.has_budget()) {
    const v1::BudgetPlan& plan = amendment.budget();
    if (plan.lines_size() == 0) {
      errors.Add("amendment.budget.lines", "at least one line");
    } else if (plan.lines_size() > kMaxAmendmentBudgetLines) {
      errors.Add("amendment.budget.lines",
                 absl::StrCat("at most ", kMaxAmendmentBudgetLines, " lines"));
    }
    for (int i = 0; i < plan.lines_size(); ++i) {
      const v1::BudgetLine& line = plan.lines(i);
      const std::string field = absl::StrCat("amendment.budget.lines[", i, "]");
      if (line.category() == v1::BUDGET_CATEGORY_UNSPECIFIED ||
          !v1::BudgetCategory_IsValid(line.category())) {
        errors.Add(absl::StrCat(field, ".category"), "required: a budget category");
      }
      if (line.description().size() > kMaxBudgetLineDescriptionBytes) {
        errors.Add(absl::StrCat(field, ".description"),
                   absl::StrCat("at most ", kMaxBudgetLineDescriptionBytes, " bytes"));
      }
      if (!line.has_amount() || line.amount().ore() <= 0) {
        errors.Add(absl::StrCat(field, ".amount"), "required: a positive amount in öre");
      } else if (sum) {
        sum = CheckedAdd(*sum, line.amount().ore());
      }
    }
    change.budget = plan;
  }
  if (!errors.empty()) return errors.ToStatus();

  status::FieldErrors rules;
  std::string_view reason;
  if (change.period && !PeriodInside(*change.period, funding)) {
    rules.Add("amendment.project_period",
              absl::StrCat("must lie inside the call's funding period ", DayText(funding.start),
                           " – ", DayText(funding.end)));
    reason = kReasonAmendmentPeriodOutside;
  }
  if (change.budget && (!sum || *sum != approved_ore)) {
    rules.Add("amendment.budget.lines",
              absl::StrCat("must sum to the approved amount ", FormatKronor(approved_ore),
                           sum ? absl::StrCat(", not ", FormatKronor(*sum)) : std::string()));
    if (reason.empty()) reason = kReasonAmendmentBudgetMismatch;
  }
  if (!rules.empty()) return rules.ToStatus(reason);
  return change;
}

absl::Status CheckAmendmentDecision(const v1::DecideAmendmentRequest& request) {
  status::FieldErrors errors;
  if (!request.approve() && Blank(request.comment())) {
    errors.Add("comment", "required when rejecting: the grounds of the rejection");
  } else if (request.comment().size() > kMaxAmendmentTextBytes) {
    errors.Add("comment", absl::StrCat("at most ", kMaxAmendmentTextBytes, " bytes"));
  }
  return errors.ToStatus();
}

}  // namespace integration::grants
