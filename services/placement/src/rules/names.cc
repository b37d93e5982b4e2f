// The placement service's resource names, each declared once as a names::ResourcePattern
// (integration/names/resource_name.h): the pattern prints the name and checks its shape and
// ids; county and kommun codes are then checked against the official lists.
#include "rules/names.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "integration/names/resource_name.h"
#include "integration/se/kommun.h"

namespace integration::placement {
namespace {

using names::IsPositiveId;
using names::PatternOptions;
using names::ResourceName;
using names::ResourcePattern;

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool IsKeyYear(std::string_view text) {
  int year = 0;
  return text.size() == 4 && absl::SimpleAtoi(AV(text), &year) && year >= kMinKeyYear &&
         year <= kMaxKeyYear;
}

// County and kommun codes are any value here: ValidateLanskod / ValidateKommunkod give their
// own reasons (unknown code) after the shape matched.
bool AnyCode(std::string_view) { return true; }

// The declaration of `pattern`: ids positive, codes any value, the year in range; `checks`
// only for the variables the pattern has (a check of another is refused as a mistake).
ResourcePattern Declare(std::string_view pattern, std::string hint) {
  PatternOptions options(kReasonNameInvalid, IsPositiveId, hint);
  for (const auto& [variable, check] :
       {std::pair<std::string, names::ValueCheck>{"lanskod", AnyCode},
        {"kommunkod", AnyCode},
        {"year", IsKeyYear}}) {
    if (pattern.find(absl::StrCat("{", variable, "}")) != std::string_view::npos) {
      options.checks.emplace_back(variable, check);
    }
  }
  return ResourcePattern::Declare(pattern, std::move(options));
}

constexpr char kIdsHint[] = "each id is a positive integer";
std::string YearHint() {
  return absl::StrCat("the year is ", kMinKeyYear, "-", kMaxKeyYear,
                      " and each id a positive integer");
}

const ResourcePattern& CountyPattern() {
  static const ResourcePattern p = Declare("counties/{lanskod}", "");
  return p;
}
const ResourcePattern& AllocationKeyPattern() {
  static const ResourcePattern p = Declare("counties/{lanskod}/allocationKeys/{year}", YearHint());
  return p;
}
const ResourcePattern& TransferPattern() {
  static const ResourcePattern p =
      Declare("counties/{lanskod}/allocationKeys/{year}/transfers/{transfer}", YearHint());
  return p;
}
const ResourcePattern& ChildPattern() {
  static const ResourcePattern p = Declare("children/{child}", kIdsHint);
  return p;
}
const ResourcePattern& PlacementPattern() {
  static const ResourcePattern p = Declare("children/{child}/placements/{placement}", kIdsHint);
  return p;
}
const ResourcePattern& KommunPattern() {
  static const ResourcePattern p = Declare("kommuner/{kommunkod}", "");
  return p;
}
const ResourcePattern& UnitPattern() {
  static const ResourcePattern p = Declare("kommuner/{kommunkod}/units/{unit}", kIdsHint);
  return p;
}

const ResourcePattern& SettlementQuotaPattern() {
  static const ResourcePattern p =
      Declare("counties/{lanskod}/settlementQuotas/{year}", YearHint());
  return p;
}
const ResourcePattern& SettlementRevisionPattern() {
  static const ResourcePattern p =
      Declare("counties/{lanskod}/settlementQuotas/{year}/revisions/{revision}", YearHint());
  return p;
}
const ResourcePattern& SettlementAssignmentPattern() {
  static const ResourcePattern p =
      Declare("kommuner/{kommunkod}/settlementAssignments/{assignment}", kIdsHint);
  return p;
}

int64_t Id(const ResourceName& name, std::string_view variable) {
  return names::PositiveId(name[variable]);  // checked by the pattern
}

// The länskod of a parsed name, if it is a known county.
absl::StatusOr<std::string> Lanskod(const ResourceName& name, std::string_view field) {
  std::string code(name["lanskod"]);
  if (absl::Status st = se::ValidateLanskod(code, field); !st.ok()) return st;
  return code;
}

absl::StatusOr<std::string> Kommunkod(const ResourceName& name, std::string_view field) {
  std::string code(name["kommunkod"]);
  if (absl::Status st = se::ValidateKommunkod(code, field); !st.ok()) return st;
  return code;
}

absl::StatusOr<AllocationKeyId> KeyOf(const ResourceName& name, std::string_view field) {
  absl::StatusOr<std::string> lanskod = Lanskod(name, field);
  if (!lanskod.ok()) return lanskod.status();
  return AllocationKeyId{*std::move(lanskod), static_cast<int>(Id(name, "year"))};
}

}  // namespace

std::string CountyName(std::string_view lanskod) { return CountyPattern().Format(lanskod); }
std::string KommunName(std::string_view kommunkod) { return KommunPattern().Format(kommunkod); }
std::string UnitName(std::string_view kommunkod, int64_t unit_id) {
  return UnitPattern().Format(kommunkod, unit_id);
}
std::string PlacementName(int64_t child_id, int64_t placement_id) {
  return PlacementPattern().Format(child_id, placement_id);
}
std::string TransferName(std::string_view lanskod, int year, int64_t transfer_id) {
  return TransferPattern().Format(lanskod, year, transfer_id);
}
std::string AllocationKeyName(std::string_view lanskod, int year) {
  return AllocationKeyPattern().Format(lanskod, year);
}
std::string ChildName(int64_t child_id) { return ChildPattern().Format(child_id); }
std::string SettlementQuotaName(std::string_view lanskod, int year) {
  return SettlementQuotaPattern().Format(lanskod, year);
}
std::string SettlementRevisionName(std::string_view lanskod, int year, int revision) {
  return SettlementRevisionPattern().Format(lanskod, year, revision);
}
std::string SettlementAssignmentName(std::string_view kommunkod, int64_t assignment_id) {
  return SettlementAssignmentPattern().Format(kommunkod, assignment_id);
}

absl::StatusOr<std::string> ParseCountyName(std::string_view name, std::string_view field) {
  absl::StatusOr<ResourceName> parsed = CountyPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return Lanskod(*parsed, field);
}

absl::StatusOr<AllocationKeyId> ParseAllocationKeyName(std::string_view name,
                                                       std::string_view field) {
  absl::StatusOr<ResourceName> parsed = AllocationKeyPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return KeyOf(*parsed, field);
}

absl::StatusOr<int64_t> ParseChildName(std::string_view name, std::string_view field) {
  absl::StatusOr<ResourceName> parsed = ChildPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return Id(*parsed, "child");
}

absl::StatusOr<std::string> ParseKommunName(std::string_view name, std::string_view field) {
  absl::StatusOr<ResourceName> parsed = KommunPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return Kommunkod(*parsed, field);
}

absl::StatusOr<UnitId> ParseUnitName(std::string_view name, std::string_view field) {
  absl::StatusOr<ResourceName> parsed = UnitPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<std::string> kommunkod = Kommunkod(*parsed, field);
  if (!kommunkod.ok()) return kommunkod.status();
  return UnitId{*std::move(kommunkod), Id(*parsed, "unit")};
}

absl::StatusOr<TransferId> ParseTransferName(std::string_view name, std::string_view field) {
  absl::StatusOr<ResourceName> parsed = TransferPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<AllocationKeyId> key = KeyOf(*parsed, field);
  if (!key.ok()) return key.status();
  return TransferId{*std::move(key), Id(*parsed, "transfer")};
}

absl::StatusOr<SettlementQuotaId> ParseSettlementQuotaName(std::string_view name,
                                                           std::string_view field) {
  absl::StatusOr<ResourceName> parsed = SettlementQuotaPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return KeyOf(*parsed, field);
}

absl::StatusOr<SettlementAssignmentId> ParseSettlementAssignmentName(std::string_view name,
                                                                     std::string_view field) {
  absl::StatusOr<ResourceName> parsed = SettlementAssignmentPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<std::string> kommunkod = Kommunkod(*parsed, field);
  if (!kommunkod.ok()) return kommunkod.status();
  return SettlementAssignmentId{*std::move(kommunkod), Id(*parsed, "assignment")};
}

absl::StatusOr<PlacementId> ParsePlacementName(std::string_view name, std::string_view field) {
  absl::StatusOr<ResourceName> parsed = PlacementPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return PlacementId{Id(*parsed, "child"), Id(*parsed, "placement")};
}

}  // namespace integration::placement
