// Settlement of newly arrived adults (lag 2016:38), without I/O: the split of a county number
// into kommun numbers by weighted factors with the largest-remainder method, the checks of a
// decision (the numbers sum to the county number), of a reported assignment and of a
// reception, the 2-month due date, and the follow-up per kommun with its CSV form.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "lansstyrelsen/integration/placement/v1/resources.pb.h"

namespace integration::placement {

namespace v1 = ::lansstyrelsen::integration::placement::v1;

// ErrorInfo reasons.
inline constexpr std::string_view kReasonQuotaInvalid = "SETTLEMENT_QUOTA_INVALID";
inline constexpr std::string_view kReasonBasisInvalid = "SETTLEMENT_BASIS_INVALID";
inline constexpr std::string_view kReasonSumMismatch = "KOMMUN_NUMBERS_SUM_MISMATCH";
inline constexpr std::string_view kReasonAssignmentInvalid = "SETTLEMENT_ASSIGNMENT_INVALID";
inline constexpr std::string_view kReasonReceptionInvalid = "SETTLEMENT_RECEPTION_INVALID";

inline constexpr int kMaxCountyNumber = 100000;
inline constexpr int kMaxHouseholdPersons = 30;
// A kommun's reception is due within this many months of the assignment date.
inline constexpr int kReceptionMonths = 2;

// Whether `text` is one of Migrationsverket's references (a household, a sibling group):
// `min_bytes`-`max_bytes` ASCII letters, digits and "-".
bool IsAgencyReference(std::string_view text, size_t min_bytes, size_t max_bytes);

// Splits `total` (>= 0) in proportion to `weights` (each >= 0, at least one > 0) by the
// largest-remainder (Hamilton) method: each part gets the whole part of its exact quota
// total × w / Σw, and the units left go one each to the parts with the largest remainders
// (ties: the larger weight, then the lower index). Exact integer arithmetic, so the parts sum
// to `total`, and each is its quota rounded down or up. INVALID_ARGUMENT otherwise.
absl::StatusOr<std::vector<int>> SplitLargestRemainder(int total,
                                                       const std::vector<int64_t>& weights);

// A decision basis checked against the county `lanskod`, with each kommun's population from
// the suite's kommun list filled in.
struct CheckedBasis {
  v1::SettlementBasis basis;
};

// Checks a basis: weights of named factors, each once, finite, 0-1e6, one at least positive;
// kommuner of the county, each once, with entered factors other than population, each once,
// finite, 0-1e12. INVALID_ARGUMENT SETTLEMENT_BASIS_INVALID with every violation under `field`.
absl::StatusOr<CheckedBasis> CheckBasis(const v1::SettlementBasis& basis, std::string_view lanskod,
                                        std::string_view field);

// The proposal of `basis` (checked) for `county_number`: every factor turned into each
// kommun's share of the factor's sum over the basis' kommuner (a factor summing to 0 gives
// nothing), a kommun's score the weighted mean of its shares, and the county number split by
// the scores (SplitLargestRemainder on the scores in units of 1e-12). The kommun numbers come
// by kommunkod with their scores. FAILED_PRECONDITION SETTLEMENT_BASIS_INVALID when no kommun
// scores above 0.
absl::StatusOr<std::vector<v1::KommunNumber>> SplitCountyNumber(int county_number,
                                                                const v1::SettlementBasis& basis);

// Checks decided numbers: kommuner of the county, each once, persons 0-kMaxCountyNumber
// (INVALID_ARGUMENT SETTLEMENT_QUOTA_INVALID). Returns them by kommunkod.
absl::StatusOr<std::map<std::string, int>> CheckKommunNumbers(
    const google::protobuf::RepeatedPtrField<v1::KommunNumber>& numbers, std::string_view lanskod,
    std::string_view field);

// OK when `numbers` sum to `county_number`; FAILED_PRECONDITION KOMMUN_NUMBERS_SUM_MISMATCH
// (metadata sum, county_number) otherwise.
absl::Status CheckSumEquals(const std::map<std::string, int>& numbers, int county_number);

// The last day a kommun receives an assignment of `assigned` in time: the same day
// kReceptionMonths months later, or that month's last day when it is shorter (31 December →
// 29 February in a leap year, 28 February otherwise).
absl::CivilDay SettlementDueDate(absl::CivilDay assigned);

// Where an assignment stands on `today`: received when it has a reception date, overdue when
// not and `today` is after the due date, assigned otherwise.
v1::SettlementState SettlementStateOn(absl::CivilDay due, std::optional<absl::CivilDay> received,
                                      absl::CivilDay today);

// A reported assignment, checked.
struct CheckedSettlementAssignment {
  std::string household_reference;
  int persons = 0;
  std::string kommunkod;
  std::string lanskod;
  absl::CivilDay assignment_date;
  absl::CivilDay due_date;
};

// Household reference 3-40 of [A-Za-z0-9-], persons 1-kMaxHouseholdPersons, a known kommun,
// an assignment date not after `today`; INVALID_ARGUMENT SETTLEMENT_ASSIGNMENT_INVALID with
// every violation under `field`.
absl::StatusOr<CheckedSettlementAssignment> CheckSettlementAssignment(
    const v1::SettlementAssignment& assignment, absl::CivilDay today, std::string_view field);

// A reception date (nullptr: not given): a calendar day, not before `assigned`, not after
// `today` (INVALID_ARGUMENT SETTLEMENT_RECEPTION_INVALID on "reception_date").
absl::StatusOr<absl::CivilDay> CheckReceptionDate(
    const ::lansstyrelsen::integration::type::v1::Date* date, absl::CivilDay assigned,
    absl::CivilDay today);

// One kommun's assignments of a year in persons, as the follow-up query counts them.
struct SettlementCounts {
  int assigned = 0;
  int received = 0;
  int overdue = 0;
};

// The follow-up of county `lanskod` for `year`: a row per kommun with a kommun number or
// assignments (only `only_kommun`'s when given), by kommunkod, with its name from the kommun
// list, and the totals over the rows. `quota_name` empty when the year has no quota.
v1::SettlementFollowUp BuildSettlementFollowUp(
    std::string_view lanskod, int year, std::string_view quota_name, int county_number,
    const std::map<std::string, int>& kommun_numbers,
    const std::map<std::string, SettlementCounts>& counts, std::string_view only_kommun);

// CSV (RFC 4180, "\r\n" line ends): a header row, one row per kommun, then the total.
std::string SettlementFollowUpCsv(const v1::SettlementFollowUp& follow_up);

}  // namespace integration::placement
