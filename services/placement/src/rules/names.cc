// Printing and parsing of the placement service's resource names.
#include "rules/names.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "integration/se/kommun.h"
#include "integration/status/status.h"

namespace integration::placement {
namespace {

absl::Status Malformed(std::string_view field, std::string_view expected) {
  return status::InvalidField(field, absl::StrCat("must be ", std::string(expected)),
                              kReasonNameInvalid);
}

// The segments of `name`, or empty when it has an empty segment.
std::vector<std::string> Segments(std::string_view name) {
  std::vector<std::string> parts = absl::StrSplit(absl::string_view(name.data(), name.size()), '/');
  for (const std::string& p : parts) {
    if (p.empty()) return {};
  }
  return parts;
}

absl::StatusOr<std::string> Lanskod(const std::string& code, std::string_view field) {
  if (absl::Status st = se::ValidateLanskod(code, field); !st.ok()) return st;
  return code;
}

// A positive id without leading zeros, so that one resource has one name.
bool ParseId(const std::string& text, int64_t* id) {
  return absl::SimpleAtoi(text, id) && *id > 0 && text == absl::StrCat(*id);
}

absl::StatusOr<std::string> Kommunkod(const std::string& code, std::string_view field) {
  if (absl::Status st = se::ValidateKommunkod(code, field); !st.ok()) return st;
  return code;
}

}  // namespace

std::string KommunName(std::string_view kommunkod) {
  return absl::StrCat("kommuner/", std::string(kommunkod));
}

std::string UnitName(std::string_view kommunkod, int64_t unit_id) {
  return absl::StrCat(KommunName(kommunkod), "/units/", unit_id);
}

std::string PlacementName(int64_t child_id, int64_t placement_id) {
  return absl::StrCat(ChildName(child_id), "/placements/", placement_id);
}

std::string TransferName(std::string_view lanskod, int year, int64_t transfer_id) {
  return absl::StrCat(AllocationKeyName(lanskod, year), "/transfers/", transfer_id);
}

std::string CountyName(std::string_view lanskod) {
  return absl::StrCat("counties/", std::string(lanskod));
}

std::string AllocationKeyName(std::string_view lanskod, int year) {
  return absl::StrCat(CountyName(lanskod), "/allocationKeys/", year);
}

std::string ChildName(int64_t child_id) { return absl::StrCat("children/", child_id); }

absl::StatusOr<std::string> ParseCountyName(std::string_view name, std::string_view field) {
  const std::vector<std::string> parts = Segments(name);
  if (parts.size() != 2 || parts[0] != "counties") {
    return Malformed(field, "\"counties/{lanskod}\"");
  }
  return Lanskod(parts[1], field);
}

absl::StatusOr<AllocationKeyId> ParseAllocationKeyName(std::string_view name,
                                                       std::string_view field) {
  const std::vector<std::string> parts = Segments(name);
  int year = 0;
  if (parts.size() != 4 || parts[0] != "counties" || parts[2] != "allocationKeys" ||
      parts[3].size() != 4 || !absl::SimpleAtoi(parts[3], &year) || year < kMinKeyYear ||
      year > kMaxKeyYear) {
    return Malformed(field,
                     absl::StrCat("\"counties/{lanskod}/allocationKeys/{year}\" with a year ",
                                  kMinKeyYear, "-", kMaxKeyYear));
  }
  absl::StatusOr<std::string> lanskod = Lanskod(parts[1], field);
  if (!lanskod.ok()) return lanskod.status();
  return AllocationKeyId{*std::move(lanskod), year};
}

absl::StatusOr<int64_t> ParseChildName(std::string_view name, std::string_view field) {
  const std::vector<std::string> parts = Segments(name);
  int64_t id = 0;
  if (parts.size() != 2 || parts[0] != "children" || !ParseId(parts[1], &id)) {
    return Malformed(field, "\"children/{child}\" with a positive id");
  }
  return id;
}

absl::StatusOr<std::string> ParseKommunName(std::string_view name, std::string_view field) {
  const std::vector<std::string> parts = Segments(name);
  if (parts.size() != 2 || parts[0] != "kommuner") {
    return Malformed(field, "\"kommuner/{kommunkod}\"");
  }
  return Kommunkod(parts[1], field);
}

absl::StatusOr<UnitId> ParseUnitName(std::string_view name, std::string_view field) {
  const std::vector<std::string> parts = Segments(name);
  UnitId id;
  if (parts.size() != 4 || parts[0] != "kommuner" || parts[2] != "units" ||
      !ParseId(parts[3], &id.unit_id)) {
    return Malformed(field, "\"kommuner/{kommunkod}/units/{unit}\" with a positive id");
  }
  absl::StatusOr<std::string> kommunkod = Kommunkod(parts[1], field);
  if (!kommunkod.ok()) return kommunkod.status();
  id.kommunkod = *std::move(kommunkod);
  return id;
}

absl::StatusOr<TransferId> ParseTransferName(std::string_view name, std::string_view field) {
  const std::vector<std::string> parts = Segments(name);
  TransferId id;
  if (parts.size() != 6 || parts[4] != "transfers" || !ParseId(parts[5], &id.transfer_id)) {
    return Malformed(field, "\"counties/{lanskod}/allocationKeys/{year}/transfers/{transfer}\"");
  }
  absl::StatusOr<AllocationKeyId> key = ParseAllocationKeyName(
      absl::StrCat(parts[0], "/", parts[1], "/", parts[2], "/", parts[3]), field);
  if (!key.ok()) return key.status();
  id.key = *std::move(key);
  return id;
}

absl::StatusOr<PlacementId> ParsePlacementName(std::string_view name, std::string_view field) {
  const std::vector<std::string> parts = Segments(name);
  PlacementId id;
  if (parts.size() != 4 || parts[0] != "children" || parts[2] != "placements" ||
      !ParseId(parts[1], &id.child_id) || !ParseId(parts[3], &id.placement_id)) {
    return Malformed(field, "\"children/{child}/placements/{placement}\" with positive ids");
  }
  return id;
}

}  // namespace integration::placement
