// The allocation key (fördelningsnyckel) and the assignment (anvisning) of a child to a kommun:
// what a valid key is, and which kommun a child goes to. Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "lansstyrelsen/integration/placement/v1/resources.pb.h"

namespace integration::placement {

namespace v1 = ::lansstyrelsen::integration::placement::v1;

// ErrorInfo reason of an invalid key (INVALID_ARGUMENT with one violation per field).
inline constexpr std::string_view kReasonAllocationKeyInvalid = "ALLOCATION_KEY_INVALID";

// A county's total is a share of the country.
inline constexpr int kMaxCountyTotalPerMille = 1000;

struct KeyShare {
  std::string kommunkod;
  int per_mille = 0;
};

// A checked key: shares sorted by kommunkod.
struct KeyDefinition {
  std::string lanskod;
  int year = 0;
  int county_total_per_mille = 0;
  absl::CivilDay base_date;
  std::vector<KeyShare> shares;
};

// Checks the key an administrator enters for county `lanskod` and `year` (from its name):
// county total 1-1000 ‰; at least one share; every kommunkod a kommun of that county, at most
// once; every share ≥ 1 ‰; the shares summing to the county total; base_date a real day not
// after 1 January of the year (unset: 1 January). Violations are named "<field>.shares[2]
// .kommunkod", "<field>.county_total_per_mille", ...
absl::StatusOr<KeyDefinition> CheckAllocationKey(const v1::AllocationKey& key,
                                                 std::string_view lanskod, int year,
                                                 std::string_view field);

// The key's shares as stored and its standings, for choosing a kommun.
struct KeyStanding {
  std::string name;  // "counties/{lanskod}/allocationKeys/{year}"
  int county_total_per_mille = 0;
  std::vector<KeyShare> shares;
  // Children assigned to each kommun of the county since the key's base date (kommuner
  // missing here have none).
  std::map<std::string, int64_t> assigned;
};

// The kommun of the key furthest below its share once this child is counted: the highest
// per_mille × (A + 1) − assigned × county total, where A is all children assigned to the key's
// kommuner. Ties go to the larger share, then to the lower kommunkod, so the same standings
// always give the same kommun. The explanation lists every kommun's standing. The key has at
// least one share.
v1::Assignment ChooseByKey(const KeyStanding& key);

// What decides a child's assignment, in this order: a sibling of its group already assigned
// (the group goes to one kommun), the kommun of a strong link, the allocation key.
struct AssignmentInput {
  struct Sibling {
    std::string child;      // "children/{child}"
    std::string kommunkod;  // where it was assigned
  };
  std::optional<Sibling> sibling;
  std::string strong_link_kommunkod;  // "" when none
  std::optional<KeyStanding> key;     // the county's key for the arrival year, if any
};

// The assignment, or nullopt when nothing decides yet (no sibling, no link, no key: the child
// waits for the county's key).
std::optional<v1::Assignment> DecideAssignment(const AssignmentInput& input);

// --- Share transfers ---

// INVALID_ARGUMENT: a malformed transfer; FAILED_PRECONDITION: it would leave the giving kommun
// below 1 per mille (or it has no share).
inline constexpr std::string_view kReasonTransferInvalid = "TRANSFER_INVALID";
inline constexpr std::string_view kReasonShareBelowMinimum = "SHARE_BELOW_MINIMUM";

// Checks a transfer in a key of county `lanskod`: two different kommuner of the county, at
// least 1 per mille, an agreement of 3-1000 bytes. Violations named "<field>.to_kommunkod", ...
absl::Status CheckShareTransfer(const v1::ShareTransfer& transfer, std::string_view lanskod,
                                std::string_view field);

// `shares` (kommunkod → per mille) after moving `per_mille` from `from` to `to`; the total
// stays. SHARE_BELOW_MINIMUM when `from` would keep less than 1 per mille.
absl::StatusOr<std::map<std::string, int>> ApplyShareTransfer(
    const std::map<std::string, int>& shares, const std::string& from, const std::string& to,
    int per_mille);

// A county officer's correction of `current` to `kommunkod` for `reason`.
v1::Assignment CorrectedAssignment(const v1::Assignment& current, std::string_view kommunkod,
                                   std::string_view reason);

}  // namespace integration::placement
