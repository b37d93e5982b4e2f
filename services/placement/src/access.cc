// The placement service's object-level access rules.
#include "access.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "integration/status/status.h"

namespace integration::placement::access {

using auth::Role;

absl::Status CheckArrivalReporter(const auth::Scope& scope) {
  if (absl::Status st = auth::RequireRole(scope, {Role::kAgencySystem},
                                          "only Migrationsverket's system reports arrivals");
      !st.ok()) {
    return st;
  }
  return auth::RequireScope(scope, kArrivalScope, "only Migrationsverket's system reports arrivals");
}

absl::Status CheckKeyAdmin(const auth::Scope& scope, std::string_view lanskod) {
  if (absl::Status st = auth::RequireRole(scope, {Role::kCountyAdmin},
                                          "only a county admin enters allocation keys");
      !st.ok()) {
    return st;
  }
  return auth::CheckInScope(scope, auth::Owner::County(lanskod), "the county");
}

namespace {

// A county's record that the county roles and the officers of its kommuner read; `what` names
// it in the messages ("the allocation key").
absl::Status CheckCountyRecordReader(const auth::Scope& scope, std::string_view lanskod,
                                     std::string_view what) {
  if (scope.Is(Role::kMunicipalityOfficer)) {
    // A kommunkod starts with its county's länskod.
    if (scope.kommun.size() == 4 && std::string_view(scope.kommun).substr(0, 2) == lanskod) {
      return absl::OkStatus();
    }
    return auth::TenantMismatch(absl::StrCat(std::string(what), " belongs to another county"));
  }
  if (absl::Status st = auth::RequireRole(
          scope, {Role::kCountyOfficer, Role::kCountyAdmin},
          absl::StrCat(std::string(what), " is read by the county and its kommuner"));
      !st.ok()) {
    return st;
  }
  return auth::CheckInScope(scope, auth::Owner::County(lanskod), what);
}

}  // namespace

absl::Status CheckKeyReader(const auth::Scope& scope, std::string_view lanskod) {
  return CheckCountyRecordReader(scope, lanskod, "the allocation key");
}

absl::Status CheckTransferRegistrar(const auth::Scope& scope, std::string_view lanskod,
                                    std::string_view from_kommunkod) {
  if (scope.Is(Role::kMunicipalityOfficer)) {
    if (scope.kommun.empty() || scope.kommun != from_kommunkod) {
      return auth::TenantMismatch("a kommun registers transfers of its own share only");
    }
    return absl::OkStatus();
  }
  return CheckKeyAdmin(scope, lanskod);
}

absl::Status CheckChildReader(const auth::Scope& scope, const ChildOwners& child) {
  if (scope.Is(Role::kMunicipalityOfficer)) {
    return auth::CheckInScope(scope, ChildEventOwner(child), "the child");
  }
  if (absl::Status st =
          auth::RequireRole(scope, {Role::kCountyOfficer, Role::kCountyAdmin},
                            "a child is read by its county and the kommun it is assigned to");
      !st.ok()) {
    return st;
  }
  return auth::CheckInScope(scope, auth::Owner::County(child.lanskod), "the child");
}

absl::Status CheckCountyOfficer(const auth::Scope& scope, std::string_view lanskod) {
  if (absl::Status st = auth::RequireRole(scope, {Role::kCountyOfficer},
                                          "only a county officer decides on assignments");
      !st.ok()) {
    return st;
  }
  return auth::CheckInScope(scope, auth::Owner::County(lanskod), "the child");
}

absl::Status CheckAccessLogReader(const auth::Scope& scope, std::string_view lanskod) {
  if (absl::Status st = auth::RequireRole(scope, {Role::kCountyAdmin},
                                          "only a county admin reads the access log");
      !st.ok()) {
    return st;
  }
  return auth::CheckInScope(scope, auth::Owner::County(lanskod), "the child");
}

absl::StatusOr<auth::Tenant> ChildListScope(const auth::Scope& scope) {
  if (!scope.IsAny({Role::kCountyOfficer, Role::kCountyAdmin, Role::kMunicipalityOfficer})) {
    return auth::RoleNotAllowed("children are listed by the county and the kommuner");
  }
  return auth::TenantOf(scope, "children are listed by the county and the kommuner");
}

auth::Owner KommunOwner(std::string_view kommunkod) {
  auth::Owner owner;
  owner.lan = std::string(kommunkod.substr(0, 2));
  owner.kommuner.push_back(std::string(kommunkod));
  return owner;
}

auth::Owner ChildEventOwner(const ChildOwners& child) {
  auth::Owner owner = auth::Owner::County(child.lanskod);
  if (!child.assigned_kommunkod.empty()) owner.kommuner.push_back(child.assigned_kommunkod);
  return owner;
}

auth::Owner PlacementEventOwner(const ChildOwners& child, std::string_view unit_kommunkod) {
  auth::Owner owner = ChildEventOwner(child);
  if (!unit_kommunkod.empty() && unit_kommunkod != child.assigned_kommunkod) {
    owner.kommuner.push_back(std::string(unit_kommunkod));
  }
  return owner;
}

absl::Status CheckUnitKeeper(const auth::Scope& scope, std::string_view kommunkod) {
  if (absl::Status st = auth::RequireRole(scope, {Role::kMunicipalityOfficer},
                                          "a unit is kept by its kommun's officers");
      !st.ok()) {
    return st;
  }
  return auth::CheckInScope(scope, KommunOwner(kommunkod), "the unit");
}

absl::Status CheckUnitReader(const auth::Scope& scope, std::string_view kommunkod) {
  if (absl::Status st = auth::RequireRole(
          scope, {Role::kMunicipalityOfficer, Role::kCountyOfficer, Role::kCountyAdmin},
          "a unit is read by its kommun and its county");
      !st.ok()) {
    return st;
  }
  return auth::CheckInScope(scope, KommunOwner(kommunkod), "the unit");
}

absl::Status CheckPlacementProposer(const auth::Scope& scope, const ChildOwners& child,
                                    std::string_view unit_kommunkod) {
  if (scope.Is(Role::kMunicipalityOfficer)) {
    if (absl::Status st = CheckChildReader(scope, child); !st.ok()) return st;
    if (scope.kommun != unit_kommunkod) {
      return auth::TenantMismatch("a kommun proposes placements in its own units only");
    }
    return absl::OkStatus();
  }
  if (absl::Status st = CheckCountyOfficer(scope, child.lanskod); !st.ok()) return st;
  if (unit_kommunkod.substr(0, 2) != child.lanskod) {
    return auth::LanMismatch("the unit lies in another county than the child's");
  }
  return absl::OkStatus();
}

absl::Status CheckPlacementDecider(const auth::Scope& scope, const ChildOwners& child,
                                   std::string_view unit_kommunkod) {
  if (scope.Is(Role::kMunicipalityOfficer)) {
    return auth::CheckInScope(scope, KommunOwner(unit_kommunkod), "the unit");
  }
  return CheckCountyOfficer(scope, child.lanskod);
}

absl::Status CheckPlacementReader(const auth::Scope& scope, const ChildOwners& child,
                                  std::string_view unit_kommunkod) {
  if (scope.Is(Role::kMunicipalityOfficer) && scope.kommun == unit_kommunkod) {
    return absl::OkStatus();
  }
  return CheckChildReader(scope, child);
}

absl::Status CheckCountyNumberSetter(const auth::Scope& scope) {
  if (absl::Status st = auth::RequireRole(
          scope, {Role::kCountyAdmin}, "county numbers are set by a national administrator");
      !st.ok()) {
    return st;
  }
  return auth::RequireScope(scope, kNationalQuotaScope,
                            "county numbers are the government's: only a national administrator "
                            "enters them");
}

absl::Status CheckQuotaReader(const auth::Scope& scope, std::string_view lanskod) {
  return CheckCountyRecordReader(scope, lanskod, "the settlement quota");
}

absl::Status CheckQuotaProposer(const auth::Scope& scope, std::string_view lanskod) {
  if (absl::Status st = auth::RequireRole(scope, {Role::kCountyOfficer, Role::kCountyAdmin},
                                          "kommun numbers are proposed by the county board");
      !st.ok()) {
    return st;
  }
  return auth::CheckInScope(scope, auth::Owner::County(lanskod), "the settlement quota");
}

absl::Status CheckQuotaDecider(const auth::Scope& scope, std::string_view lanskod) {
  if (absl::Status st = auth::RequireRole(scope, {Role::kCountyAdmin},
                                          "only a county admin decides kommun numbers");
      !st.ok()) {
    return st;
  }
  return auth::CheckInScope(scope, auth::Owner::County(lanskod), "the settlement quota");
}

absl::Status CheckSettlementReporter(const auth::Scope& scope) {
  constexpr std::string_view kOnly = "only Migrationsverket's system reports settlement assignments";
  if (absl::Status st = auth::RequireRole(scope, {Role::kAgencySystem}, kOnly); !st.ok()) {
    return st;
  }
  return auth::RequireScope(scope, kSettlementScope, kOnly);
}

absl::Status CheckSettlementReader(const auth::Scope& scope, std::string_view kommunkod) {
  if (absl::Status st = auth::RequireRole(
          scope, {Role::kMunicipalityOfficer, Role::kCountyOfficer, Role::kCountyAdmin},
          "an assignment is read by its kommun and its county");
      !st.ok()) {
    return st;
  }
  return auth::CheckInScope(scope, KommunOwner(kommunkod), "the assignment");
}

absl::Status CheckSettlementReceiver(const auth::Scope& scope, std::string_view kommunkod) {
  if (absl::Status st = auth::RequireRole(scope, {Role::kMunicipalityOfficer},
                                          "the assigned kommun records the reception");
      !st.ok()) {
    return st;
  }
  return auth::CheckInScope(scope, KommunOwner(kommunkod), "the assignment");
}

absl::StatusOr<auth::Tenant> SettlementScope(const auth::Scope& scope) {
  constexpr std::string_view kWho = "settlement is followed by the county and its kommuner";
  if (!scope.IsAny({Role::kCountyOfficer, Role::kCountyAdmin, Role::kMunicipalityOfficer})) {
    return auth::RoleNotAllowed(kWho);
  }
  return auth::TenantOf(scope, kWho);
}

void RestrictChild(const auth::Scope& scope, v1::Child& child) {
  const bool county = scope.IsCounty() && scope.lan == child.lanskod();
  const bool kommun = scope.Is(Role::kMunicipalityOfficer) && !scope.kommun.empty() &&
                      child.has_assignment() && child.assignment().kommunkod() == scope.kommun;
  if (!county && !kommun) child.mutable_arrival()->clear_needs();
  if (!county && child.has_assignment()) child.mutable_assignment()->clear_explanation();
}

}  // namespace integration::placement::access
