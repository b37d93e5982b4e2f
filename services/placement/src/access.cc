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
  if (std::find(scope.scopes.begin(), scope.scopes.end(), kArrivalScope) == scope.scopes.end()) {
    return status::PermissionDenied(
        kReasonScopeMissing,
        absl::StrCat("the token lacks the scope \"", std::string(kArrivalScope), "\""));
  }
  return absl::OkStatus();
}

absl::Status CheckKeyAdmin(const auth::Scope& scope, std::string_view lanskod) {
  if (absl::Status st = auth::RequireRole(scope, {Role::kCountyAdmin},
                                          "only a county admin enters allocation keys");
      !st.ok()) {
    return st;
  }
  return auth::CheckInScope(scope, auth::Owner::County(lanskod), "the county");
}

absl::Status CheckKeyReader(const auth::Scope& scope, std::string_view lanskod) {
  if (scope.Is(Role::kMunicipalityOfficer)) {
    // A kommunkod starts with its county's länskod.
    if (scope.kommun.size() == 4 && std::string_view(scope.kommun).substr(0, 2) == lanskod) {
      return absl::OkStatus();
    }
    return auth::TenantMismatch("the allocation key belongs to another county");
  }
  if (absl::Status st = auth::RequireRole(scope, {Role::kCountyOfficer, Role::kCountyAdmin},
                                          "allocation keys are read by the county and its kommuner");
      !st.ok()) {
    return st;
  }
  return auth::CheckInScope(scope, auth::Owner::County(lanskod), "the allocation key");
}

absl::Status CheckChildReader(const auth::Scope& scope, const ChildOwners& child) {
  if (scope.Is(Role::kMunicipalityOfficer)) {
    auth::Owner owner;
    owner.lan = child.lanskod;
    if (!child.assigned_kommunkod.empty()) owner.kommuner.push_back(child.assigned_kommunkod);
    return auth::CheckInScope(scope, owner, "the child");
  }
  if (absl::Status st = auth::RequireRole(
          scope, {Role::kCountyOfficer, Role::kCountyAdmin},
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

void RestrictChild(const auth::Scope& scope, v1::Child& child) {
  const bool county = scope.IsCounty() && scope.lan == child.lanskod();
  const bool kommun = scope.Is(Role::kMunicipalityOfficer) && !scope.kommun.empty() &&
                      child.has_assignment() && child.assignment().kommunkod() == scope.kommun;
  if (!county && !kommun) child.mutable_arrival()->clear_needs();
  if (!county && child.has_assignment()) child.mutable_assignment()->clear_explanation();
}

}  // namespace integration::placement::access
