// Who may see and change the orientation service's records: its object-level rules on the
// common tenancy types (integration/auth/tenancy.h), applied after the role check of the
// method's access policy. No I/O: the handlers load the records and ask here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "integration/auth/tenancy.h"

namespace integration::orientation::access {

// Creating an offering with `kommunkoder`, or changing one (its sessions too): an officer of
// one of its kommuner.
absl::Status CheckOfferingKeeper(const auth::Scope& scope,
                                 const std::vector<std::string>& kommunkoder);
// Reading an offering: the officers of its kommuner, the county roles of its county.
absl::Status CheckOfferingReader(const auth::Scope& scope, std::string_view lanskod,
                                 const std::vector<std::string>& kommunkoder);
// Whose offerings the caller's list shows: its kommun's (officers) or its county's.
absl::StatusOr<auth::Tenant> OfferingListScope(const auth::Scope& scope);

// Registering, finding and enrolling a kommun's participants, recording their attendance: the
// kommun's officers.
absl::Status CheckParticipantKeeper(const auth::Scope& scope, std::string_view kommunkod);
// Reading a kommun's participants and enrolments: its officers and the county roles of its
// county. Never another kommun, also not one sharing an offering.
absl::Status CheckParticipantReader(const auth::Scope& scope, std::string_view kommunkod);

// The tenant of the events about a kommun's participants (api::Change::Emit): the readers
// CheckParticipantReader lets in, the kommun within its county.
auth::Owner ParticipantOwner(std::string_view kommunkod);

// The county whose follow-up a county role reads.
absl::StatusOr<std::string> FollowUpCounty(const auth::Scope& scope);

}  // namespace integration::orientation::access
