// Disbursement rules of the grants service: what an instalment must say, the rule that
// scheduled and paid instalments never exceed the approved amount, and payment references.
// Pure functions, no I/O; money is int64 öre with checked sums.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

// ErrorInfo reasons.
inline constexpr std::string_view kReasonDisbursementInvalid = "DISBURSEMENT_INVALID";  // 400
inline constexpr std::string_view kReasonPaymentReferenceInvalid = "PAYMENT_REFERENCE_INVALID";
inline constexpr std::string_view kReasonNotApproved = "APPLICATION_NOT_APPROVED";  // 412
inline constexpr std::string_view kReasonExceedsApproved = "DISBURSEMENTS_EXCEED_APPROVED";
inline constexpr std::string_view kReasonNotScheduled = "DISBURSEMENT_NOT_SCHEDULED";  // 412
inline constexpr std::string_view kReasonDisbursementNotFound = "DISBURSEMENT_NOT_FOUND";

inline constexpr size_t kMaxPaymentReferenceBytes = 100;

// A new instalment: amount more than zero ("disbursement.amount") and a valid scheduled date
// ("disbursement.scheduled_date"). INVALID_ARGUMENT DISBURSEMENT_INVALID with every violation.
absl::Status CheckNewDisbursement(const v1::Disbursement& disbursement);

// OK when `committed_ore` (the application's SCHEDULED and PAID instalments) plus
// `amount_ore` stays within `approved_ore`; FAILED_PRECONDITION DISBURSEMENTS_EXCEED_APPROVED
// with metadata {application, approved_ore, committed_ore, requested_ore, remaining_ore}
// otherwise (an overflowing sum exceeds any approval).
absl::Status CheckWithinApproved(std::string_view application_name, int64_t approved_ore,
                                 int64_t committed_ore, int64_t amount_ore);

// The payment system's reference: 1-100 printable characters without surrounding blanks.
// INVALID_ARGUMENT PAYMENT_REFERENCE_INVALID on "payment_reference".
absl::Status CheckPaymentReference(std::string_view reference);

}  // namespace integration::grants
