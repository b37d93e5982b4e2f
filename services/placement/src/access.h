// Who may see and change the placement service's records: its object-level rules on the
// common tenancy types (integration/auth/tenancy.h), applied after the role check of the
// method's access policy. No I/O: the handlers load the records and ask here.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "integration/auth/tenancy.h"
#include "lansstyrelsen/integration/placement/v1/resources.pb.h"

namespace integration::placement::access {

namespace v1 = ::lansstyrelsen::integration::placement::v1;

// The token scope Migrationsverket's system needs to report arrivals (also named by the
// ReportArrival policy's agency_scopes, which the runtime checks first).
inline constexpr std::string_view kArrivalScope = "placement.arrivals";

// Reporting an arrival: an agency_system whose token carries kArrivalScope.
absl::Status CheckArrivalReporter(const auth::Scope& scope);

// Entering a county's allocation key: its county_admin.
absl::Status CheckKeyAdmin(const auth::Scope& scope, std::string_view lanskod);
// Reading a county's keys: its county roles and the officers of its kommuner.
absl::Status CheckKeyReader(const auth::Scope& scope, std::string_view lanskod);

// Registering a share transfer from `from_kommunkod`: the county admin of county `lanskod`, or
// an officer of the giving kommun.
absl::Status CheckTransferRegistrar(const auth::Scope& scope, std::string_view lanskod,
                                    std::string_view from_kommunkod);

// Whom a child's record belongs to.
struct ChildOwners {
  std::string lanskod;             // the county handling the child
  std::string assigned_kommunkod;  // "" while the child waits for an assignment
};

// The tenants of the events (api::Change::Emit), the owners the reads above check: a child's
// county and assigned kommun; with a placement also the unit's kommun; a kommun's own records
// (settlement assignments) its kommun within its county.
auth::Owner ChildEventOwner(const ChildOwners& child);
auth::Owner PlacementEventOwner(const ChildOwners& child, std::string_view unit_kommunkod);
auth::Owner KommunOwner(std::string_view kommunkod);

// Reading a child: the county roles of its county, the officers of the kommun it is assigned
// to (a waiting child belongs to no kommun yet).
absl::Status CheckChildReader(const auth::Scope& scope, const ChildOwners& child);
// Deciding on a child's assignment: a county officer of its county.
absl::Status CheckCountyOfficer(const auth::Scope& scope, std::string_view lanskod);
// Reading a child's access log: a county admin of its county.
absl::Status CheckAccessLogReader(const auth::Scope& scope, std::string_view lanskod);

// Whose children the caller's lists show: its county's (county roles) or those assigned to its
// kommun (municipality officers); ROLE_NOT_ALLOWED for other roles.
absl::StatusOr<auth::Tenant> ChildListScope(const auth::Scope& scope);

// --- Units and placements ---

// Keeping a unit: the officers of its kommun.
absl::Status CheckUnitKeeper(const auth::Scope& scope, std::string_view kommunkod);
// Reading a unit: the officers of its kommun, the county roles of its county.
absl::Status CheckUnitReader(const auth::Scope& scope, std::string_view kommunkod);

// Proposing to place `child` in a unit of `unit_kommunkod`: a county officer of the child's
// county, or an officer of the kommun the child is assigned to, for that kommun's own units.
absl::Status CheckPlacementProposer(const auth::Scope& scope, const ChildOwners& child,
                                    std::string_view unit_kommunkod);
// Confirming, starting and ending a placement: a county officer of the child's county, or an
// officer of the unit's kommun (which provides the place).
absl::Status CheckPlacementDecider(const auth::Scope& scope, const ChildOwners& child,
                                   std::string_view unit_kommunkod);
// Reading a placement: whoever reads the child, and the officers of the unit's kommun.
absl::Status CheckPlacementReader(const auth::Scope& scope, const ChildOwners& child,
                                  std::string_view unit_kommunkod);

// --- Settlement of newly arrived adults ---

// The token scope of a national administrator (a county_admin acting for the government's
// decisions) who sets the county numbers of every county, as grants' national programmes.
inline constexpr std::string_view kNationalQuotaScope = "placement.quotas.national";
// The token scope Migrationsverket's system needs to report settlement assignments.
inline constexpr std::string_view kSettlementScope = "placement.settlement";

// Setting or revising a county number: a county_admin with kNationalQuotaScope (any county).
absl::Status CheckCountyNumberSetter(const auth::Scope& scope);
// Reading a county's settlement quota: its county roles and the officers of its kommuner.
absl::Status CheckQuotaReader(const auth::Scope& scope, std::string_view lanskod);
// Proposing kommun numbers: the county roles of the county.
absl::Status CheckQuotaProposer(const auth::Scope& scope, std::string_view lanskod);
// Deciding kommun numbers: the county admin of the county.
absl::Status CheckQuotaDecider(const auth::Scope& scope, std::string_view lanskod);
// Reporting a settlement assignment: an agency_system whose token carries kSettlementScope.
absl::Status CheckSettlementReporter(const auth::Scope& scope);
// Reading an assignment to `kommunkod`: its officers and the county roles of its county.
absl::Status CheckSettlementReader(const auth::Scope& scope, std::string_view kommunkod);
// Recording reception: the officers of the assigned kommun.
absl::Status CheckSettlementReceiver(const auth::Scope& scope, std::string_view kommunkod);
// Whose assignments and follow-up the caller sees: its county's (county roles) or its
// kommun's (municipality officers); ROLE_NOT_ALLOWED for other roles.
absl::StatusOr<auth::Tenant> SettlementScope(const auth::Scope& scope);

// Clears what the caller may not see of a child it may read: the needs unless it is a county
// role of the child's county or an officer of its assigned kommun; the assignment's
// explanation unless it is a county role.
void RestrictChild(const auth::Scope& scope, v1::Child& child);

}  // namespace integration::placement::access
