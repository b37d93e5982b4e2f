// Reclaims (återkrav): when the board may claim money back and how much, and what settling
// or waiving a claim needs. Pure functions, no I/O.
//
// Accepted use: the money the board accepted as used, from the application's accounting
// reports (FINAL and FINANCIAL). Each of them accounts for the whole project, so they are not
// added up: the accepted use is the largest accepted amount among the ACCEPTED ones (in
// practice a programme requires one of the two), and 0 while none is accepted.
//
// A reclaim is warranted
//  - for UNUSED_FUNDS once an accounting report is ACCEPTED and the accepted use is below the
//    amount paid;
//  - for REPORT_MISSING once an accounting report (the final report; FINANCIAL where the
//    programme requires no FINAL one) is overdue: past its due date and neither submitted nor
//    accepted.
// The amount is paid − accepted use, exact in öre, and must be positive.
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

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

// FAILED_PRECONDITION, metadata {application, reason, paid_ore, accepted_use_ore, basis}: the
// reason does not hold for the application now, or paid − accepted use is not positive.
inline constexpr std::string_view kReasonReclaimNotWarranted = "RECLAIM_NOT_WARRANTED";
// FAILED_PRECONDITION, metadata {application, reclaim}: the application already has a RAISED
// reclaim (at most one at a time).
inline constexpr std::string_view kReasonReclaimAlreadyRaised = "RECLAIM_ALREADY_RAISED";
// FAILED_PRECONDITION: only RAISED reclaims can be settled or waived.
inline constexpr std::string_view kReasonReclaimNotRaised = "RECLAIM_NOT_RAISED";
// INVALID_ARGUMENT: the settled amount exceeds the reclaim's amount.
inline constexpr std::string_view kReasonSettledAboveAmount = "SETTLED_ABOVE_AMOUNT";

inline constexpr size_t kMaxReclaimTextBytes = 4000;
inline constexpr size_t kMaxReclaimPaymentReferenceBytes = 100;

// The enum names as stored ("UNUSED_FUNDS", "RAISED"); "" for UNSPECIFIED, and UNSPECIFIED for
// anything unknown.
std::string_view ReclaimReasonText(v1::ReclaimReason reason);
v1::ReclaimReason ReclaimReasonOf(std::string_view stored);
std::string_view ReclaimStateText(v1::ReclaimState state);
v1::ReclaimState ReclaimStateOf(std::string_view stored);

// What the reclaim rules read of one report of the application.
struct ReclaimReportFacts {
  v1::ReportType type = v1::REPORT_TYPE_UNSPECIFIED;
  v1::ReportState state = v1::REPORT_STATE_UNSPECIFIED;
  absl::CivilDay due_date;
  int64_t accepted_ore = 0;
};

// The largest accepted amount among ACCEPTED FINAL/FINANCIAL reports; 0 when none.
int64_t AcceptedUse(const std::vector<ReclaimReportFacts>& reports);

// The amount of a reclaim for `reason` on `today` (Stockholm day) given what was paid and the
// application's reports, or FAILED_PRECONDITION RECLAIM_NOT_WARRANTED explaining why not.
// `application` is the application's name, for the error's metadata.
absl::StatusOr<int64_t> ReclaimAmount(v1::ReclaimReason reason, int64_t paid_ore,
                                      const std::vector<ReclaimReportFacts>& reports,
                                      absl::CivilDay today, std::string_view application);

// RaiseReclaim's own fields: a reason and a comment of sane length (fields "reclaim.*").
absl::Status CheckReclaimRequest(const v1::Reclaim& reclaim);
// SettleReclaim's own fields: a positive settled_amount and a payment_reference.
absl::Status CheckSettleRequest(const v1::SettleReclaimRequest& request);
// The settled amount against the reclaim's amount: INVALID_ARGUMENT SETTLED_ABOVE_AMOUNT.
absl::Status CheckSettledWithinAmount(int64_t settled_ore, int64_t amount_ore);
// WaiveReclaim needs a reason.
absl::Status CheckWaiveRequest(const v1::WaiveReclaimRequest& request);

}  // namespace integration::grants
