// The early measures service's object-level access rules on the suite's tenancy types: an
// organisation acts on its own records; a county officer reads what lies in its county;
// grants (agency_system with the figures scope, checked by the policy) reads report figures.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "integration/auth/tenancy.h"

namespace integration::early_measures::access {

// Changing organisation `orgnr`'s records: its own organisation_rep only.
absl::Status CheckOrganisation(const auth::Scope& scope, std::string_view orgnr);

// Reading an activity of `orgnr` in county `lanskod` (its sessions too): the organisation, or
// a county officer of that county.
absl::Status CheckActivityReader(const auth::Scope& scope, std::string_view orgnr,
                                 std::string_view lanskod);

// The tenant of the events about an activity and its sessions (api::Change::Emit): the
// readers CheckActivityReader lets in, the organisation and the activity's county.
auth::Owner ActivityOwner(std::string_view orgnr, std::string_view lanskod);

// The county a list of organisation `orgnr`'s activities is limited to: "" for the
// organisation itself, the officer's county for county officers.
absl::StatusOr<std::string> ActivityListCounty(const auth::Scope& scope, std::string_view orgnr);

// Report figures of `orgnr`: grants (agency_system) or the organisation itself.
absl::Status CheckFiguresReader(const auth::Scope& scope, std::string_view orgnr);

// Whose statistics the caller gets: a county officer its county's (lanskod), an
// organisation_rep its own (orgnr).
struct StatisticsScope {
  std::string lanskod;
  std::string orgnr;
};
absl::StatusOr<StatisticsScope> StatisticsOf(const auth::Scope& scope);

}  // namespace integration::early_measures::access
