// The resource names of the placement service, printed and parsed in this one place through
// the suite's names::ResourcePattern:
// "counties/{lanskod}", "counties/{lanskod}/allocationKeys/{year}", "children/{child}",
// "children/{child}/placements/{placement}", "kommuner/{kommunkod}",
// "kommuner/{kommunkod}/units/{unit}" and
// "counties/{lanskod}/allocationKeys/{year}/transfers/{transfer}",
// "counties/{lanskod}/settlementQuotas/{year}" with its ".../revisions/{revision}" and
// "kommuner/{kommunkod}/settlementAssignments/{assignment}".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace integration::placement {

// ErrorInfo reason of a malformed name (INVALID_ARGUMENT with a violation on the field).
inline constexpr std::string_view kReasonNameInvalid = "NAME_INVALID";

// Allocation keys exist for these years only (a sanity bound on the name, not a rule).
inline constexpr int kMinKeyYear = 2000;
inline constexpr int kMaxKeyYear = 2100;

struct AllocationKeyId {
  std::string lanskod;
  int year = 0;
};

struct UnitId {
  std::string kommunkod;
  int64_t unit_id = 0;
};

struct TransferId {
  AllocationKeyId key;
  int64_t transfer_id = 0;
};

// A settlement quota is a county's for a year, as an allocation key is.
using SettlementQuotaId = AllocationKeyId;

struct SettlementAssignmentId {
  std::string kommunkod;
  int64_t assignment_id = 0;
};

struct PlacementId {
  int64_t child_id = 0;
  int64_t placement_id = 0;
};

std::string CountyName(std::string_view lanskod);
std::string KommunName(std::string_view kommunkod);
std::string UnitName(std::string_view kommunkod, int64_t unit_id);
std::string PlacementName(int64_t child_id, int64_t placement_id);
std::string TransferName(std::string_view lanskod, int year, int64_t transfer_id);
std::string AllocationKeyName(std::string_view lanskod, int year);
std::string ChildName(int64_t child_id);
std::string SettlementQuotaName(std::string_view lanskod, int year);
std::string SettlementRevisionName(std::string_view lanskod, int year, int revision);
std::string SettlementAssignmentName(std::string_view kommunkod, int64_t assignment_id);

// The länskod of "counties/{lanskod}"; the code must be a known county (LANSKOD_UNKNOWN
// otherwise). `field` names the request field in the violation.
absl::StatusOr<std::string> ParseCountyName(std::string_view name, std::string_view field);
absl::StatusOr<AllocationKeyId> ParseAllocationKeyName(std::string_view name,
                                                       std::string_view field);
// The positive id of "children/{child}".
absl::StatusOr<int64_t> ParseChildName(std::string_view name, std::string_view field);
// The kommunkod of "kommuner/{kommunkod}"; a known kommun (KOMMUNKOD_UNKNOWN otherwise).
absl::StatusOr<std::string> ParseKommunName(std::string_view name, std::string_view field);
absl::StatusOr<UnitId> ParseUnitName(std::string_view name, std::string_view field);
absl::StatusOr<TransferId> ParseTransferName(std::string_view name, std::string_view field);
absl::StatusOr<SettlementQuotaId> ParseSettlementQuotaName(std::string_view name,
                                                           std::string_view field);
absl::StatusOr<SettlementAssignmentId> ParseSettlementAssignmentName(std::string_view name,
                                                                     std::string_view field);
absl::StatusOr<PlacementId> ParsePlacementName(std::string_view name, std::string_view field);

}  // namespace integration::placement
