// Roles, the caller's scope and the checks that a record lies within it.
#include "integration/auth/tenancy.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "integration/se/organisationsnummer.h"
#include "integration/status/status.h"

namespace integration::auth {
namespace {

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

struct RoleSpelling {
  Role role;
  std::string_view name;
};
constexpr RoleSpelling kRoleNames[] = {
    {Role::kCountyOfficer, "county_officer"},
    {Role::kCountyAdmin, "county_admin"},
    {Role::kMunicipalityOfficer, "municipality_officer"},
    {Role::kOrganisationRep, "organisation_rep"},
    {Role::kAgencySystem, "agency_system"},
    {Role::kLearner, "learner"},
};

// The token's organisationsnummer in the stored form "NNNNNN-NNNN"; "" when absent or
// malformed (which then matches nothing).
std::string NormalOrgnr(const std::string& orgnr) {
  if (orgnr.empty()) return "";
  absl::StatusOr<se::Organisationsnummer> parsed = se::ParseOrganisationsnummer(orgnr);
  return parsed.ok() ? parsed->normalized : "";
}

}  // namespace

std::string_view RoleName(Role role) {
  for (const RoleSpelling& r : kRoleNames) {
    if (r.role == role) return r.name;
  }
  return "";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const RoleSpelling& r : kRoleNames) {
    if (r.name == name) return r.role;
  }
  return std::nullopt;
}

absl::Status RoleNotAllowed(std::string_view message) {
  return status::PermissionDenied(kReasonRoleNotAllowed, message);
}

absl::Status LanClaimMissing() {
  return status::PermissionDenied(kReasonLanClaimMissing,
                                  "a county role's token must carry a lan claim");
}

absl::Status LanMismatch(std::string_view message) {
  return status::PermissionDenied(kReasonLanMismatch, message);
}

absl::Status TenantMismatch(std::string_view message) {
  return status::PermissionDenied(kReasonTenantMismatch, message);
}

absl::Status TenantClaimMissing(std::string_view claim) {
  return status::PermissionDenied(
      kReasonTenantClaimMissing,
      absl::StrCat("the token carries no valid \"", AV(claim), "\" claim"));
}

Scope Scope::Of(const Caller& caller) {
  Scope scope;
  scope.role = ParseRole(caller.role);
  scope.subject = caller.subject;
  scope.former_subjects = caller.former_subjects;
  scope.lan = caller.lan;
  scope.kommun = caller.kommun;
  scope.orgnr = NormalOrgnr(caller.orgnr);
  scope.agency = caller.agency;
  scope.scopes = caller.scopes;
  return scope;
}

Owner Owner::County(std::string_view lan) {
  Owner owner;
  owner.lan = std::string(lan);
  return owner;
}

Owner Owner::Person(std::string_view subject) {
  Owner owner;
  owner.subject = std::string(subject);
  return owner;
}

bool Scope::IsSubject(std::string_view id) const {
  return !id.empty() && (id == subject || std::find(former_subjects.begin(), former_subjects.end(),
                                                    id) != former_subjects.end());
}

bool Scope::IsAny(std::initializer_list<Role> roles) const {
  return role.has_value() && std::find(roles.begin(), roles.end(), *role) != roles.end();
}

absl::Status RequireRole(const Scope& scope, std::initializer_list<Role> roles,
                         std::string_view message) {
  return scope.IsAny(roles) ? absl::OkStatus() : RoleNotAllowed(message);
}

absl::Status RequireScope(const Scope& scope, std::string_view required, std::string_view message) {
  if (std::find(scope.scopes.begin(), scope.scopes.end(), required) != scope.scopes.end()) {
    return absl::OkStatus();
  }
  return status::Error(
      absl::StatusCode::kPermissionDenied, kReasonScopeMissing,
      absl::StrCat(AV(message), " (the token lacks the scope \"", AV(required), "\")"),
      {{"scope", std::string(required)}});
}

absl::StatusOr<std::string> CountyOf(const Scope& scope) {
  if (scope.lan.empty()) return LanClaimMissing();
  return scope.lan;
}

absl::StatusOr<Tenant> TenantOf(const Scope& scope, std::string_view message) {
  if (scope.IsCounty()) {
    if (scope.lan.empty()) return LanClaimMissing();
    return Tenant{Tenant::Kind::kLan, scope.lan};
  }
  if (scope.Is(Role::kMunicipalityOfficer)) {
    if (scope.kommun.empty()) return TenantClaimMissing("kommun");
    return Tenant{Tenant::Kind::kKommun, scope.kommun};
  }
  if (scope.Is(Role::kOrganisationRep)) {
    if (scope.orgnr.empty()) return TenantClaimMissing("orgnr");
    return Tenant{Tenant::Kind::kOrgnr, scope.orgnr};
  }
  if (scope.Is(Role::kLearner) && !scope.subject.empty()) {
    return Tenant{Tenant::Kind::kSubject, scope.subject};
  }
  return RoleNotAllowed(message);
}

absl::Status CheckInScope(const Scope& scope, const Owner& owner, std::string_view what) {
  if (scope.IsCounty()) {
    if (scope.lan.empty()) return LanClaimMissing();
    if (scope.lan == owner.lan) return absl::OkStatus();
    return LanMismatch(absl::StrCat(AV(what), " belongs to another county"));
  }
  if (scope.Is(Role::kMunicipalityOfficer)) {
    const bool own = !scope.kommun.empty() &&
                     std::find(owner.kommuner.begin(), owner.kommuner.end(), scope.kommun) !=
                         owner.kommuner.end();
    if (own) return absl::OkStatus();
    return TenantMismatch(absl::StrCat(AV(what), " belongs to another kommun"));
  }
  if (scope.Is(Role::kOrganisationRep)) {
    if (!scope.orgnr.empty() && scope.orgnr == owner.orgnr) return absl::OkStatus();
    return TenantMismatch(absl::StrCat(AV(what), " belongs to another organisation"));
  }
  if (scope.Is(Role::kLearner)) {
    if (scope.IsSubject(owner.subject)) return absl::OkStatus();
    return TenantMismatch(absl::StrCat(AV(what), " belongs to another learner"));
  }
  return RoleNotAllowed(absl::StrCat("this role may not use ", AV(what)));
}

}  // namespace integration::auth
