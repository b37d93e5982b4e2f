// The early measures service's object-level access rules.
#include "access.h"

namespace integration::early_measures::access {

using auth::Role;

absl::Status CheckOrganisation(const auth::Scope& scope, std::string_view orgnr) {
  if (absl::Status st = auth::RequireRole(scope, {Role::kOrganisationRep},
                                          "only the organisation changes its activities");
      !st.ok()) {
    return st;
  }
  auth::Owner owner;
  owner.orgnr = std::string(orgnr);
  return auth::CheckInScope(scope, owner, "the organisation");
}

auth::Owner ActivityOwner(std::string_view orgnr, std::string_view lanskod) {
  auth::Owner owner = auth::Owner::County(lanskod);
  owner.orgnr = std::string(orgnr);
  return owner;
}

absl::Status CheckActivityReader(const auth::Scope& scope, std::string_view orgnr,
                                 std::string_view lanskod) {
  if (absl::Status st = auth::RequireRole(scope, {Role::kOrganisationRep, Role::kCountyOfficer},
                                          "this role may not read activities");
      !st.ok()) {
    return st;
  }
  return auth::CheckInScope(scope, ActivityOwner(orgnr, lanskod), "the activity");
}

absl::StatusOr<std::string> ActivityListCounty(const auth::Scope& scope, std::string_view orgnr) {
  if (scope.Is(Role::kCountyOfficer)) return auth::CountyOf(scope);
  if (absl::Status st = CheckOrganisation(scope, orgnr); !st.ok()) return st;
  return std::string();
}

absl::Status CheckFiguresReader(const auth::Scope& scope, std::string_view orgnr) {
  if (scope.Is(Role::kAgencySystem)) return absl::OkStatus();
  return CheckOrganisation(scope, orgnr);
}

absl::StatusOr<StatisticsScope> StatisticsOf(const auth::Scope& scope) {
  if (scope.Is(Role::kCountyOfficer)) {
    absl::StatusOr<std::string> lan = auth::CountyOf(scope);
    if (!lan.ok()) return lan.status();
    return StatisticsScope{.lanskod = *lan, .orgnr = ""};
  }
  if (scope.Is(Role::kOrganisationRep)) {
    if (scope.orgnr.empty()) return auth::TenantClaimMissing("orgnr");
    return StatisticsScope{.lanskod = "", .orgnr = scope.orgnr};
  }
  return auth::RoleNotAllowed("this role may not read the statistics");
}

}  // namespace integration::early_measures::access
