// The assignment of a child inside a change (see assignment.h).
#include "assignment.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "access.h"
#include "allocation_key_repository.h"
#include "integration/api/handler.h"
#include "integration/dates/day.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/placement/v1/events.pb.h"
#include "rules/allocation_rules.h"
#include "rules/names.h"

namespace integration::placement {

absl::Status ChildNotFound(int64_t child_id) {
  const std::string name = ChildName(child_id);
  return status::NotFound(kReasonChildNotFound, absl::StrCat(name, " does not exist"),
                          {{"child", name}});
}

absl::StatusOr<std::optional<ChildRecord>> LoadChild(ChildRepository& repo,
                                                     const se::PnrProtector& protector,
                                                     int64_t child_id) {
  absl::StatusOr<std::optional<ChildRecord>> record = repo.Get(child_id);
  if (!record.ok() || !*record) return record;
  // The cipher is bound to its look-up hash, so a cipher copied to another row fails here.
  absl::StatusOr<std::string> dossier =
      protector.Decrypt((*record)->dossier_cipher, (*record)->dossier_hash);
  if (!dossier.ok()) return status::Internal("a child's dossier number cannot be decrypted");
  (*record)->child.mutable_arrival()->set_dossier_number(*dossier);
  return record;
}

access::ChildOwners OwnersOf(const v1::Child& child) {
  return {child.lanskod(), child.has_assignment() ? child.assignment().kommunkod() : ""};
}

void LockStandings(ChildRepository& repo, std::string_view sibling_group,
                   std::string_view lanskod) {
  if (!sibling_group.empty())
    repo.LockStandings(absl::StrCat("siblings:", std::string(sibling_group)));
  repo.LockStandings(absl::StrCat("county:", std::string(lanskod)));
}

absl::Status RecordAssignment(ChildRepository& repo, api::Change& change, int64_t child_id,
                              v1::Assignment assignment, std::string_view verb,
                              std::string_view detail, absl::Time now) {
  api::SetTimestamp(now, assignment.mutable_assign_time());
  // The county that handles an assigned child is its kommun's.
  const std::string lanskod = assignment.kommunkod().substr(0, 2);
  repo.SetAssignment(child_id, assignment, lanskod, now);
  const std::string name = ChildName(child_id);
  change.Audit(name, verb, detail);
  v1::ChildAssignedEvent event;
  event.set_child(name);
  event.set_kommunkod(assignment.kommunkod());
  event.set_basis(assignment.basis());
  api::SetTimestamp(now, event.mutable_assign_time());
  return change.Emit(name, event, access::KommunOwner(assignment.kommunkod()));
}

absl::StatusOr<std::optional<v1::Assignment>> AssignWaitingChild(
    pqxx::work& tx, api::Change& change, int64_t child_id, const v1::Arrival& arrival,
    std::string_view lanskod, absl::Time now) {
  ChildRepository repo(tx);
  LockStandings(repo, arrival.sibling_group(), lanskod);
  AssignmentInput input;
  if (!arrival.sibling_group().empty()) {
    if (auto sibling = repo.AssignedSibling(arrival.sibling_group(), child_id)) {
      input.sibling = AssignmentInput::Sibling{ChildName(sibling->first), sibling->second};
    }
  }
  input.strong_link_kommunkod = arrival.strong_link_kommunkod();
  if (!input.sibling && input.strong_link_kommunkod.empty()) {
    // The key of the arrival year, with the county's standings since its base date.
    const int year = static_cast<int>(arrival.arrival_date().year());
    absl::StatusOr<std::optional<v1::AllocationKey>> key =
        AllocationKeyRepository(tx).Get(lanskod, year);
    if (!key.ok()) return key.status();
    if (*key) {
      KeyStanding standing;
      standing.name = (*key)->name();
      standing.county_total_per_mille = (*key)->county_total_per_mille();
      for (const v1::KommunShare& s : (*key)->shares()) {
        standing.shares.push_back({s.kommunkod(), s.per_mille()});
      }
      const std::optional<absl::CivilDay> base = dates::DayOf((*key)->base_date());
      if (!base) return status::Internal("allocation key with an unreadable base date");
      standing.assigned = repo.AssignedSince(lanskod, *base);
      input.key = std::move(standing);
    }
  }
  std::optional<v1::Assignment> decided = DecideAssignment(input);
  if (!decided) return decided;
  const std::string detail = absl::StrCat("kommun ", decided->kommunkod(), ", ",
                                          v1::AssignmentBasis_Name(decided->basis()));
  if (absl::Status st = RecordAssignment(repo, change, child_id, *decided, "assign", detail, now);
      !st.ok()) {
    return st;
  }
  api::SetTimestamp(now, decided->mutable_assign_time());
  return decided;
}

}  // namespace integration::placement
