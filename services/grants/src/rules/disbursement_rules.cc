// Disbursement rules: new instalments, the approved ceiling, payment references.
#include "rules/disbursement_rules.h"

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "integration/status/status.h"
#include "rules/values_rules.h"

namespace integration::grants {

absl::Status CheckNewDisbursement(const v1::Disbursement& disbursement) {
  status::FieldErrors errors;
  if (!disbursement.has_amount() || disbursement.amount().ore() <= 0) {
    errors.Add("disbursement.amount", "required: more than zero öre");
  }
  if (!disbursement.has_scheduled_date()) {
    errors.Add("disbursement.scheduled_date", "required: the planned payment date");
  } else if (!IsValidDate(disbursement.scheduled_date())) {
    errors.Add("disbursement.scheduled_date", "must be a calendar date");
  }
  return errors.ToStatus(kReasonDisbursementInvalid);
}

absl::Status CheckWithinApproved(std::string_view application_name, int64_t approved_ore,
                                 int64_t committed_ore, int64_t amount_ore) {
  const std::optional<int64_t> total = CheckedAdd(committed_ore, amount_ore);
  if (total && *total <= approved_ore) return absl::OkStatus();
  const int64_t remaining = approved_ore > committed_ore ? approved_ore - committed_ore : 0;
  return status::FailedPrecondition(
      kReasonExceedsApproved,
      absl::StrCat("an instalment of ", FormatKronor(amount_ore), " would exceed the approved ",
                   FormatKronor(approved_ore), " of ", std::string(application_name), ": ",
                   FormatKronor(remaining), " remain unplanned"),
      {{"application", std::string(application_name)},
       {"approved_ore", absl::StrCat(approved_ore)},
       {"committed_ore", absl::StrCat(committed_ore)},
       {"requested_ore", absl::StrCat(amount_ore)},
       {"remaining_ore", absl::StrCat(remaining)}});
}

absl::Status CheckPaymentReference(std::string_view reference) {
  bool printable =
      !reference.empty() && reference.size() <= kMaxPaymentReferenceBytes &&
      absl::StripAsciiWhitespace(absl::string_view(reference.data(), reference.size())).size() ==
          reference.size();
  for (char c : reference) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) printable = false;
  }
  if (printable) return absl::OkStatus();
  return status::InvalidField("payment_reference",
                              absl::StrCat("required: the payment system's reference, 1-",
                                           kMaxPaymentReferenceBytes, " printable characters"),
                              kReasonPaymentReferenceInvalid);
}

}  // namespace integration::grants
