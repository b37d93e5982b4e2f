// Who may see and change the grants service's records: its object-level rules (OWASP API1) on
// the common tenancy types (integration/auth/tenancy.h), applied after the role check of the
// method's access policy. No I/O: the handlers load the records and ask here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "integration/auth/tenancy.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"
#include "rules/application_rules.h"
#include "rules/call_rules.h"

namespace integration::grants::access {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

// --- Applications and what hangs below them ---

// Whom an application belongs to.
struct ApplicationOwners {
  std::string lanskod;                             // the county of its call
  std::string applicant_kommunkod;                 // empty for organisations
  std::string applicant_orgnr;                     // "NNNNNN-NNNN"; empty for kommuner
  std::vector<std::string> co_applicant_kommuner;  // may read it, not act as the applicant
};

// The owners of a stored application.
ApplicationOwners OwnersOf(const ApplicationRecord& app);

// The tenant of the events about an application and what hangs below it: whoever may read it
// (its county, the applicant and the co-applicant kommuner, the applicant organisation).
auth::Owner EventOwner(const ApplicationRecord& app);

// Who a handler acts as on an application.
enum class Acting {
  kReader,         // the applicant, a co-applicant kommun, the county's officers and admins
  kApplicant,      // the applicant's own municipality officer or organisation representative
  kCountyOfficer,  // a county officer of the call's county: the board deciding on it
};

// Whether the caller may act so on the application. PERMISSION_DENIED with LAN_CLAIM_MISSING /
// LAN_MISMATCH for county roles without the claim or of another county, TENANT_MISMATCH for
// another kommun or organisation, ROLE_NOT_ALLOWED for a role that never acts so.
absl::Status CheckApplication(const auth::Scope& scope, const ApplicationOwners& app,
                              Acting acting);

// A county officer of county `lanskod` (reviews, decisions, payments, reports, statistics).
absl::Status CheckCountyOfficer(const auth::Scope& scope, std::string_view lanskod);

// The county of a county officer's own lists (overdue reports, key figures): ROLE_NOT_ALLOWED
// for other roles, LAN_CLAIM_MISSING without the claim.
absl::StatusOr<std::string> OfficerCounty(const auth::Scope& scope);

// A new application is for the caller's own kommun or organisation: TENANT_CLAIM_MISSING
// without the claim, TENANT_MISMATCH for another applicant (a malformed organisationsnummer is
// left to the request's validation), ROLE_NOT_ALLOWED for non-applicants.
absl::Status CheckNewApplication(const auth::Scope& scope, const v1::Applicant& applicant);

// Whose applications the caller's lists show: a county's (county roles), a kommun's as
// applicant or co-applicant, an organisation's; ROLE_NOT_ALLOWED for other roles.
absl::StatusOr<auth::Tenant> ApplicationListScope(const auth::Scope& scope);

// --- Programmes ---

// The token scope that lets a county_admin create and change national programmes.
inline constexpr std::string_view kNationalProgrammeScope = "grants.programmes.national";

// Creating or changing a programme owned by `lanskod` ("" = national; the policy admits
// county_admin): a national one only with kNationalProgrammeScope (PERMISSION_DENIED
// SCOPE_MISSING), a county's only by an admin of that county (LAN_MISMATCH).
absl::Status CheckProgrammeAdmin(const auth::Scope& scope, std::string_view lanskod);

// Whether a call of `caller_county` may use a programme owned by `programme_lanskod`: national
// programmes serve every county, a county's programme only that county (LAN_MISMATCH).
absl::Status CheckProgrammeUse(std::string_view programme, std::string_view programme_lanskod,
                               std::string_view caller_county);

// --- Calls ---

// Anyone sees published calls; a draft only the county roles of its county (to everyone else
// it does not exist).
bool CanSeeCall(const auth::Scope& scope, std::string_view stored_state, std::string_view lanskod);
bool CanSeeCall(const auth::Scope& scope, const CallRecord& call);

// The county whose drafts the caller's call lists include ("" when none).
std::string DraftsCounty(const auth::Scope& scope);

// Administering a call (the policy admits county_admin): only one of the call's county.
absl::Status CheckCallAdmin(const auth::Scope& scope, std::string_view lanskod);

// --- Funding ---

// Whose funding the caller may ask about: its own kommun or organisation (TENANT_MISMATCH
// otherwise); agency systems and county officers anyone's, officers within their county.
// Returns the county the answer is restricted to, "" for none.
absl::StatusOr<std::string> FundingCounty(const auth::Scope& scope, std::string_view kommunkod,
                                          std::string_view orgnr);

}  // namespace integration::grants::access
