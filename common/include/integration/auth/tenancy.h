// Tenancy: who a caller is to the suite's records — its role, parsed once from the token, and
// the claims that scope it (county, kommun, organisation, subject) — and the checks that a
// record lies within that scope, each error reason defined here once. The only place where
// role names are spelled; the services' object-level rules (their src/access.cc) are built on
// these types.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "integration/auth/auth.h"

namespace integration::auth {

// The roles of the suite (DOMAIN.md, roles table).
enum class Role {
  kCountyOfficer,        // "county_officer": a county board's case officer; claim "lan"
  kCountyAdmin,          // "county_admin": a county board's administrator; claim "lan"
  kMunicipalityOfficer,  // "municipality_officer": a kommun's officer; claim "kommun"
  kOrganisationRep,      // "organisation_rep": an organisation's representative; claim "orgnr"
  kAgencySystem,         // "agency_system": another authority's system; claim "agency"
  kLearner,              // "learner": a course participant, known by its subject
};
inline constexpr Role kAllRoles[] = {Role::kCountyOfficer,       Role::kCountyAdmin,
                                     Role::kMunicipalityOfficer, Role::kOrganisationRep,
                                     Role::kAgencySystem,        Role::kLearner};

// The role's name in tokens and access policies.
std::string_view RoleName(Role role);
// The role a token or policy names; nullopt for a name the suite does not know.
std::optional<Role> ParseRole(std::string_view name);

// ErrorInfo reasons of the tenancy checks, all PERMISSION_DENIED.
inline constexpr std::string_view kReasonRoleNotAllowed = "ROLE_NOT_ALLOWED";
inline constexpr std::string_view kReasonLanClaimMissing = "LAN_CLAIM_MISSING";
inline constexpr std::string_view kReasonLanMismatch = "LAN_MISMATCH";
inline constexpr std::string_view kReasonTenantMismatch = "TENANT_MISMATCH";
inline constexpr std::string_view kReasonTenantClaimMissing = "TENANT_CLAIM_MISSING";
// An agency_system token without a scope the method's policy names (Policy.agency_scopes), or
// without one a check requires (RequireScope).
inline constexpr std::string_view kReasonScopeMissing = "SCOPE_MISSING";

// The errors themselves; `message` says what was refused.
absl::Status RoleNotAllowed(std::string_view message);
// A county role's token without its "lan" claim.
absl::Status LanClaimMissing();
absl::Status LanMismatch(std::string_view message);
absl::Status TenantMismatch(std::string_view message);
// A tenant role's token without a valid `claim` ("kommun", "orgnr").
absl::Status TenantClaimMissing(std::string_view claim);

// The caller's scope, from its verified token. The role is parsed and the organisationsnummer
// normalised once, here; rules read the fields.
struct Scope {
  std::optional<Role> role;  // nullopt: no token, or a role the suite does not know
  std::string subject;       // Caller::subject, the pseudonym new records are written under
  std::vector<std::string> former_subjects;  // Caller::former_subjects
  std::string lan;     // county roles: their county ("" without the claim)
  std::string kommun;  // municipality officers: their kommunkod
  std::string orgnr;   // organisation reps: "NNNNNN-NNNN" ("" when absent or malformed)
  std::string agency;  // agency systems
  std::vector<std::string> scopes;

  static Scope Of(const Caller& caller);

  bool Is(Role r) const { return role == r; }
  // Whether `id` names the caller: its subject or a former subject (records written before a
  // subject key rotation).
  bool IsSubject(std::string_view id) const;
  // Whether the role is one of `roles`.
  bool IsAny(std::initializer_list<Role> roles) const;
  // county_officer or county_admin.
  bool IsCounty() const { return IsAny({Role::kCountyOfficer, Role::kCountyAdmin}); }
};

// ROLE_NOT_ALLOWED with `message` unless the caller has one of `roles`.
absl::Status RequireRole(const Scope& scope, std::initializer_list<Role> roles,
                         std::string_view message);

// PERMISSION_DENIED SCOPE_MISSING (metadata {scope}) unless the token carries `required` among
// its scopes; `message` says what the scope is for.
absl::Status RequireScope(const Scope& scope, std::string_view required, std::string_view message);

// The county of a county role: LAN_CLAIM_MISSING without the claim. Callers check the role.
absl::StatusOr<std::string> CountyOf(const Scope& scope);

// Whose records a caller's own lists hold.
struct Tenant {
  enum class Kind { kLan, kKommun, kOrgnr, kSubject };
  Kind kind;
  std::string value;
};
// County roles: their county (LAN_CLAIM_MISSING without it); municipality officers: their
// kommun, organisation reps: their organisation (TENANT_CLAIM_MISSING without a valid claim);
// learners: their subject. Other roles: ROLE_NOT_ALLOWED with `message`.
absl::StatusOr<Tenant> TenantOf(const Scope& scope, std::string_view message);

// Whom a record belongs to.
struct Owner {
  std::string lan;                    // the county whose board handles it
  std::vector<std::string> kommuner;  // the kommuner it belongs to (an applicant, co-applicants)
  std::string orgnr;                  // the organisation it belongs to, normalised
  std::string subject;                // the person it belongs to (a learner)

  // A record of a county board's own (a call, a county's figures).
  static Owner County(std::string_view lan);
  // A person's own record (a learner's).
  static Owner Person(std::string_view subject);
};

// Whether `owner`'s record lies within the caller's scope. County roles: the token's county is
// the record's (LAN_CLAIM_MISSING without the claim, LAN_MISMATCH otherwise); municipality
// officers: the token's kommun is one of the record's; organisation reps: its organisation is
// the record's; learners: the record is theirs (TENANT_MISMATCH otherwise, also without the
// claim: a tenant role without its claim owns nothing). Any other role: ROLE_NOT_ALLOWED.
// `what` names the record in the messages, e.g. "the application".
absl::Status CheckInScope(const Scope& scope, const Owner& owner, std::string_view what);

}  // namespace integration::auth
