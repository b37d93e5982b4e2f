// Reclaim rules: when a reclaim is warranted, its amount, and the settle and waive fields.
#include "rules/reclaim_rules.h"

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "integration/status/status.h"
#include "rules/report_rules.h"
#include "rules/values_rules.h"

namespace integration::grants {
namespace {

bool Blank(std::string_view text) {
  return absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size())).empty();
}

absl::Status NotWarranted(std::string_view application, v1::ReclaimReason reason, int64_t paid_ore,
                          int64_t accepted_use_ore, std::string_view basis,
                          std::string_view message) {
  return status::FailedPrecondition(kReasonReclaimNotWarranted, message,
                                    {{"application", std::string(application)},
                                     {"reason", std::string(ReclaimReasonText(reason))},
                                     {"paid_ore", absl::StrCat(paid_ore)},
                                     {"accepted_use_ore", absl::StrCat(accepted_use_ore)},
                                     {"basis", std::string(basis)}});
}

}  // namespace

std::string_view ReclaimReasonText(v1::ReclaimReason reason) {
  switch (reason) {
    case v1::RECLAIM_REASON_UNUSED_FUNDS:
      return "UNUSED_FUNDS";
    case v1::RECLAIM_REASON_REPORT_MISSING:
      return "REPORT_MISSING";
    default:
      return "";
  }
}

v1::ReclaimReason ReclaimReasonOf(std::string_view stored) {
  if (stored == "UNUSED_FUNDS") return v1::RECLAIM_REASON_UNUSED_FUNDS;
  if (stored == "REPORT_MISSING") return v1::RECLAIM_REASON_REPORT_MISSING;
  return v1::RECLAIM_REASON_UNSPECIFIED;
}

std::string_view ReclaimStateText(v1::ReclaimState state) {
  switch (state) {
    case v1::RECLAIM_STATE_RAISED:
      return "RAISED";
    case v1::RECLAIM_STATE_SETTLED:
      return "SETTLED";
    case v1::RECLAIM_STATE_WAIVED:
      return "WAIVED";
    default:
      return "";
  }
}

v1::ReclaimState ReclaimStateOf(std::string_view stored) {
  if (stored == "RAISED") return v1::RECLAIM_STATE_RAISED;
  if (stored == "SETTLED") return v1::RECLAIM_STATE_SETTLED;
  if (stored == "WAIVED") return v1::RECLAIM_STATE_WAIVED;
  return v1::RECLAIM_STATE_UNSPECIFIED;
}

int64_t AcceptedUse(const std::vector<ReclaimReportFacts>& reports) {
  int64_t use = 0;
  for (const ReclaimReportFacts& r : reports) {
    if (IsAccountingReport(r.type) && r.state == v1::REPORT_STATE_ACCEPTED) {
      use = std::max(use, r.accepted_ore);
    }
  }
  return use;
}

absl::StatusOr<int64_t> ReclaimAmount(v1::ReclaimReason reason, int64_t paid_ore,
                                      const std::vector<ReclaimReportFacts>& reports,
                                      absl::CivilDay today, std::string_view application) {
  const int64_t use = AcceptedUse(reports);
  bool has_final = false;
  for (const ReclaimReportFacts& r : reports) has_final |= r.type == v1::REPORT_TYPE_FINAL;

  if (reason == v1::RECLAIM_REASON_UNUSED_FUNDS) {
    bool accepted = false;
    for (const ReclaimReportFacts& r : reports) {
      accepted |= IsAccountingReport(r.type) && r.state == v1::REPORT_STATE_ACCEPTED;
    }
    if (!accepted) {
      return NotWarranted(application, reason, paid_ore, use, "NO_ACCEPTED_ACCOUNTING_REPORT",
                          "unused funds can be reclaimed once the final or financial report "
                          "is accepted");
    }
  } else if (reason == v1::RECLAIM_REASON_REPORT_MISSING) {
    // The final report where the programme requires one, else the financial report.
    const v1::ReportType missing = has_final ? v1::REPORT_TYPE_FINAL : v1::REPORT_TYPE_FINANCIAL;
    bool overdue = false;
    for (const ReclaimReportFacts& r : reports) {
      overdue |= r.type == missing && IsReportOverdue(r.state, r.due_date, today);
    }
    if (!overdue) {
      return NotWarranted(application, reason, paid_ore, use, "REPORT_NOT_OVERDUE",
                          absl::StrCat("the ", std::string(ReportTypeText(missing)),
                                       " report is not overdue: it is submitted, accepted, "
                                       "not yet past its due date or not required"));
    }
  } else {
    return status::InvalidField("reclaim.reason", "required: UNUSED_FUNDS or REPORT_MISSING");
  }
  if (use >= paid_ore) {
    return NotWarranted(application, reason, paid_ore, use, "NOTHING_TO_RECLAIM",
                        absl::StrCat("nothing to reclaim: paid ", FormatKronor(paid_ore),
                                     ", accepted use ", FormatKronor(use)));
  }
  return paid_ore - use;  // both non-negative: no overflow
}

absl::Status CheckReclaimRequest(const v1::Reclaim& reclaim) {
  status::FieldErrors errors;
  if (reclaim.reason() != v1::RECLAIM_REASON_UNUSED_FUNDS &&
      reclaim.reason() != v1::RECLAIM_REASON_REPORT_MISSING) {
    errors.Add("reclaim.reason", "required: UNUSED_FUNDS or REPORT_MISSING");
  }
  if (reclaim.comment().size() > kMaxReclaimTextBytes) {
    errors.Add("reclaim.comment", absl::StrCat("at most ", kMaxReclaimTextBytes, " bytes"));
  }
  return errors.ToStatus();
}

absl::Status CheckSettleRequest(const v1::SettleReclaimRequest& request) {
  status::FieldErrors errors;
  if (!request.has_settled_amount()) {
    errors.Add("settled_amount", "required: the repaid amount in öre");
  } else if (request.settled_amount().ore() <= 0) {
    errors.Add("settled_amount.ore", "must be positive");
  }
  if (Blank(request.payment_reference())) {
    errors.Add("payment_reference", "required: the payment reference of the repayment");
  } else if (request.payment_reference().size() > kMaxReclaimPaymentReferenceBytes) {
    errors.Add("payment_reference",
               absl::StrCat("at most ", kMaxReclaimPaymentReferenceBytes, " bytes"));
  }
  return errors.ToStatus();
}

absl::Status CheckSettledWithinAmount(int64_t settled_ore, int64_t amount_ore) {
  if (settled_ore <= amount_ore) return absl::OkStatus();
  return status::Error(
      absl::StatusCode::kInvalidArgument, kReasonSettledAboveAmount,
      absl::StrCat("the settled amount ", FormatKronor(settled_ore),
                   " exceeds the reclaimed amount ", FormatKronor(amount_ore)),
      {{"settled_ore", absl::StrCat(settled_ore)}, {"amount_ore", absl::StrCat(amount_ore)}},
      {{"settled_amount.ore", absl::StrCat("at most the reclaimed ", amount_ore, " öre")}});
}

absl::Status CheckWaiveRequest(const v1::WaiveReclaimRequest& request) {
  status::FieldErrors errors;
  if (Blank(request.reason())) {
    errors.Add("reason", "required: why the board waives the claim");
  } else if (request.reason().size() > kMaxReclaimTextBytes) {
    errors.Add("reason", absl::StrCat("at most ", kMaxReclaimTextBytes, " bytes"));
  }
  return errors.ToStatus();
}

}  // namespace integration::grants
