// The assignment of a child inside a change: the locks that serialise it with the other
// assignments of its county and sibling group, the standings read from PostgreSQL, the rules'
// decision written back, audited and announced. Shared by arrivals and the officers' RPCs.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "access.h"
#include "child_repository.h"
#include "integration/api/change.h"
#include "integration/se/pnr_protector.h"
#include "lansstyrelsen/integration/placement/v1/resources.pb.h"

namespace integration::placement {

// ErrorInfo reasons.
inline constexpr std::string_view kReasonChildNotFound = "CHILD_NOT_FOUND";

// NOT_FOUND CHILD_NOT_FOUND.
absl::Status ChildNotFound(int64_t child_id);

// The child with its dossier number decrypted, or nullopt.
absl::StatusOr<std::optional<ChildRecord>> LoadChild(ChildRepository& repo,
                                                     const se::PnrProtector& protector,
                                                     int64_t child_id);

// Whom the child belongs to, for access.h.
access::ChildOwners OwnersOf(const v1::Child& child);

// The standings lock of a county and of a sibling group, in the one order every change takes
// them (group first) so that two assignments never wait for each other crosswise.
void LockStandings(ChildRepository& repo, std::string_view sibling_group, std::string_view lanskod);

// Assigns the WAITING child `child_id` (arrival `arrival`, county `lanskod`) when a sibling, a
// strong link or the county's key for the arrival year decides (DecideAssignment): writes it,
// audits "assign" (action "child.assign") and
// emits ChildAssignedEvent. nullopt when nothing decides yet.
absl::StatusOr<std::optional<v1::Assignment>> AssignWaitingChild(
    pqxx::work& tx, api::Change& change, int64_t child_id, const v1::Arrival& arrival,
    std::string_view lanskod, absl::Time now);

// Writes `assignment` of child `child_id`, audits `verb` with `detail` and emits
// ChildAssignedEvent; sets the assignment's time to `now`.
absl::Status RecordAssignment(ChildRepository& repo, api::Change& change, int64_t child_id,
                              v1::Assignment assignment, std::string_view verb,
                              std::string_view detail, absl::Time now);

}  // namespace integration::placement
