// The orientation service's object-level rules (see access.h).
#include "access.h"

namespace integration::orientation::access {

auth::Owner ParticipantOwner(std::string_view kommunkod) {
  auth::Owner owner = auth::Owner::County(kommunkod.substr(0, 2));
  owner.kommuner.push_back(std::string(kommunkod));
  return owner;
}
namespace {

auth::Owner KommunOwner(std::string_view kommunkod) {
  auth::Owner owner;
  owner.lan = std::string(kommunkod.substr(0, 2));
  owner.kommuner = {std::string(kommunkod)};
  return owner;
}

}  // namespace

absl::Status CheckOfferingKeeper(const auth::Scope& scope,
                                 const std::vector<std::string>& kommunkoder) {
  if (absl::Status st = auth::RequireRole(scope, {auth::Role::kMunicipalityOfficer},
                                          "only a kommun's officers keep its offerings");
      !st.ok()) {
    return st;
  }
  auth::Owner owner;
  owner.kommuner = kommunkoder;
  return auth::CheckInScope(scope, owner, "the offering");
}

absl::Status CheckOfferingReader(const auth::Scope& scope, std::string_view lanskod,
                                 const std::vector<std::string>& kommunkoder) {
  auth::Owner owner;
  owner.lan = std::string(lanskod);
  owner.kommuner = kommunkoder;
  return auth::CheckInScope(scope, owner, "the offering");
}

absl::StatusOr<auth::Tenant> OfferingListScope(const auth::Scope& scope) {
  if (!scope.IsCounty() && !scope.Is(auth::Role::kMunicipalityOfficer)) {
    return auth::RoleNotAllowed("offerings are listed for a kommun or a county");
  }
  return auth::TenantOf(scope, "offerings are listed for a kommun or a county");
}

absl::Status CheckParticipantKeeper(const auth::Scope& scope, std::string_view kommunkod) {
  if (absl::Status st = auth::RequireRole(scope, {auth::Role::kMunicipalityOfficer},
                                          "only the kommun's officers keep its participants");
      !st.ok()) {
    return st;
  }
  return auth::CheckInScope(scope, KommunOwner(kommunkod), "the participant");
}

absl::Status CheckParticipantReader(const auth::Scope& scope, std::string_view kommunkod) {
  return auth::CheckInScope(scope, KommunOwner(kommunkod), "the participant");
}

absl::StatusOr<std::string> FollowUpCounty(const auth::Scope& scope) {
  if (!scope.IsCounty()) {
    return auth::RoleNotAllowed("the follow-up is the county board's");
  }
  return auth::CountyOf(scope);
}

}  // namespace integration::orientation::access
