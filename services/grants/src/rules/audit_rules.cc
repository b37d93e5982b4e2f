// The applicant's view of an application's audit trail (see audit_rules.h).
#include "rules/audit_rules.h"

#include <algorithm>
#include <array>

namespace integration::grants {
namespace {

constexpr std::array<std::string_view, 19> kApplicantVisible = {
    // The application's own steps, and the decision on it.
    "application.create", "application.update", "application.submit", "application.withdraw",
    "application.decide", "application.amend",
    // Payments.
    "disbursement.create", "disbursement.pay", "disbursement.cancel",
    // Reports and their due dates.
    "report.submit", "report.accept", "report.return", "report.reschedule",
    // Reclaims.
    "reclaim.raise", "reclaim.settle", "reclaim.waive",
    // Amendments the applicant asked for.
    "amendment.create", "amendment.approve", "amendment.reject"};

}  // namespace

std::span<const std::string_view> ApplicantVisibleActions() { return kApplicantVisible; }

bool ApplicantMaySee(std::string_view action) {
  return std::find(kApplicantVisible.begin(), kApplicantVisible.end(), action) !=
         kApplicantVisible.end();
}

}  // namespace integration::grants
