// The grants service's object-level access rules.
#include "access.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "integration/se/organisationsnummer.h"

namespace integration::grants::access {
namespace {

using auth::Role;

constexpr std::string_view kApplication = "the application";

}  // namespace

ApplicationOwners OwnersOf(const ApplicationRecord& app) {
  return ApplicationOwners{
      .lanskod = app.lanskod,
      .applicant_kommunkod = app.applicant_kommunkod,
      .applicant_orgnr = app.applicant_orgnr,
      .co_applicant_kommuner = {app.application.co_applicant_kommuner().begin(),
                                app.application.co_applicant_kommuner().end()}};
}

auth::Owner EventOwner(const ApplicationRecord& app) {
  const ApplicationOwners owners = OwnersOf(app);
  auth::Owner owner{
      .lan = owners.lanskod, .kommuner = {}, .orgnr = owners.applicant_orgnr, .subject = ""};
  if (!owners.applicant_kommunkod.empty()) owner.kommuner.push_back(owners.applicant_kommunkod);
  owner.kommuner.insert(owner.kommuner.end(), owners.co_applicant_kommuner.begin(),
                        owners.co_applicant_kommuner.end());
  return owner;
}

absl::Status CheckApplication(const auth::Scope& scope, const ApplicationOwners& app,
                              Acting acting) {
  auth::Owner owner{
      .lan = app.lanskod, .kommuner = {}, .orgnr = app.applicant_orgnr, .subject = ""};
  if (!app.applicant_kommunkod.empty()) owner.kommuner.push_back(app.applicant_kommunkod);
  switch (acting) {
    case Acting::kReader:
      if (absl::Status st = auth::RequireRole(scope,
                                              {Role::kCountyOfficer, Role::kCountyAdmin,
                                               Role::kMunicipalityOfficer, Role::kOrganisationRep},
                                              "this role may not read applications");
          !st.ok()) {
        return st;
      }
      owner.kommuner.insert(owner.kommuner.end(), app.co_applicant_kommuner.begin(),
                            app.co_applicant_kommuner.end());
      return auth::CheckInScope(scope, owner, kApplication);
    case Acting::kApplicant:
      if (absl::Status st =
              auth::RequireRole(scope, {Role::kMunicipalityOfficer, Role::kOrganisationRep},
                                "only the applicant may do this");
          !st.ok()) {
        return st;
      }
      return auth::CheckInScope(scope, owner, kApplication);
    case Acting::kCountyOfficer:
      return CheckCountyOfficer(scope, app.lanskod);
  }
  return auth::RoleNotAllowed("unknown use of an application");
}

absl::Status CheckCountyOfficer(const auth::Scope& scope, std::string_view lanskod) {
  if (absl::Status st =
          auth::RequireRole(scope, {Role::kCountyOfficer}, "only a county officer may do this");
      !st.ok()) {
    return st;
  }
  return auth::CheckInScope(scope, auth::Owner::County(lanskod), "the record");
}

absl::StatusOr<std::string> OfficerCounty(const auth::Scope& scope) {
  if (absl::Status st =
          auth::RequireRole(scope, {Role::kCountyOfficer}, "only a county officer may do this");
      !st.ok()) {
    return st;
  }
  return auth::CountyOf(scope);
}

absl::Status CheckNewApplication(const auth::Scope& scope, const v1::Applicant& applicant) {
  if (absl::Status st =
          auth::RequireRole(scope, {Role::kMunicipalityOfficer, Role::kOrganisationRep},
                            "only applicants create applications");
      !st.ok()) {
    return st;
  }
  absl::StatusOr<auth::Tenant> own = auth::TenantOf(scope, "only applicants create applications");
  if (!own.ok()) return own.status();
  if (own->kind == auth::Tenant::Kind::kKommun) {
    if (applicant.id_case() != v1::Applicant::kKommunkod || applicant.kommunkod() != own->value) {
      return auth::TenantMismatch(absl::StrCat("a municipality officer applies only for kommun ",
                                               own->value, " (application.applicant.kommunkod)"));
    }
    return absl::OkStatus();
  }
  if (applicant.id_case() != v1::Applicant::kOrganisationsnummer) {
    return auth::TenantMismatch(
        "an organisation representative applies only for its own organisationsnummer");
  }
  absl::StatusOr<se::Organisationsnummer> given =
      se::ParseOrganisationsnummer(applicant.organisationsnummer());
  if (given.ok() && given->normalized != own->value) {
    return auth::TenantMismatch(absl::StrCat("an organisation representative applies only for ",
                                             own->value,
                                             " (application.applicant.organisationsnummer)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<auth::Tenant> ApplicationListScope(const auth::Scope& scope) {
  constexpr std::string_view kMessage = "this role may not list applications";
  if (absl::Status st = auth::RequireRole(scope,
                                          {Role::kCountyOfficer, Role::kCountyAdmin,
                                           Role::kMunicipalityOfficer, Role::kOrganisationRep},
                                          kMessage);
      !st.ok()) {
    return st;
  }
  return auth::TenantOf(scope, kMessage);
}

bool CanSeeCall(const auth::Scope& scope, std::string_view stored_state, std::string_view lanskod) {
  if (stored_state != "DRAFT") return true;
  return scope.IsCounty() && !scope.lan.empty() && scope.lan == lanskod;
}

bool CanSeeCall(const auth::Scope& scope, const CallRecord& call) {
  return CanSeeCall(scope, call.stored_state, call.lanskod);
}

std::string DraftsCounty(const auth::Scope& scope) { return scope.IsCounty() ? scope.lan : ""; }

absl::Status CheckProgrammeAdmin(const auth::Scope& scope, std::string_view lanskod) {
  if (!lanskod.empty()) return auth::CheckInScope(scope, auth::Owner::County(lanskod), "the programme");
  if (absl::Status st = auth::RequireRole(scope, {Role::kCountyAdmin},
                                          "only a county admin may change programmes");
      !st.ok()) {
    return st;
  }
  return auth::RequireScope(scope, kNationalProgrammeScope,
                            "a national programme is created and changed only by a national "
                            "administrator; a county's own programme names its lanskod");
}

absl::Status CheckProgrammeUse(std::string_view programme, std::string_view programme_lanskod,
                               std::string_view caller_county) {
  if (programme_lanskod.empty() || programme_lanskod == caller_county) return absl::OkStatus();
  return status::Error(
      absl::StatusCode::kPermissionDenied, auth::kReasonLanMismatch,
      absl::StrCat(std::string(programme), " belongs to county ", std::string(programme_lanskod),
                   "; only its calls use it"),
      {{"programme", std::string(programme)}, {"lanskod", std::string(programme_lanskod)}});
}

absl::Status CheckCallAdmin(const auth::Scope& scope, std::string_view lanskod) {
  return auth::CheckInScope(scope, auth::Owner::County(lanskod), "the call");
}

absl::StatusOr<std::string> FundingCounty(const auth::Scope& scope, std::string_view kommunkod,
                                          std::string_view orgnr) {
  constexpr std::string_view kOwnOnly = "you may only ask about your own funding";
  if (scope.Is(Role::kAgencySystem)) return std::string();
  if (scope.Is(Role::kCountyOfficer)) return auth::CountyOf(scope);
  if (scope.Is(Role::kMunicipalityOfficer)) {
    if (!scope.kommun.empty() && scope.kommun == kommunkod) return std::string();
    return auth::TenantMismatch(kOwnOnly);
  }
  if (scope.Is(Role::kOrganisationRep)) {
    if (!orgnr.empty() && scope.orgnr == orgnr) return std::string();
    return auth::TenantMismatch(kOwnOnly);
  }
  return auth::RoleNotAllowed("this role may not check funding");
}

}  // namespace integration::grants::access
