// PlacementService assignment RPCs of county officers: assigning a child that waited for its
// county's allocation key, and correcting a wrong assignment with a reason (the sibling group
// moves with the child). A kommun cannot appeal: no RPC lets it.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "access.h"
#include "assignment.h"
#include "child_repository.h"
#include "integration/api/change.h"
#include "integration/api/handler.h"
#include "integration/auth/tenancy.h"
#include "integration/se/kommun.h"
#include "integration/status/status.h"
#include "placement_service.h"
#include "rules/allocation_rules.h"
#include "rules/names.h"
#include "rules/placement_rules.h"

namespace integration::placement {
namespace {

constexpr std::string_view kReasonChildAssigned = "CHILD_ALREADY_ASSIGNED";
constexpr std::string_view kReasonChildWaiting = "CHILD_NOT_ASSIGNED";
constexpr std::string_view kReasonKeyMissing = "ALLOCATION_KEY_MISSING";
constexpr std::string_view kReasonAssignmentUnchanged = "ASSIGNMENT_UNCHANGED";

// The first step of an officer's assignment change: the child locked, and the caller a county
// officer of its county.
absl::StatusOr<LockedChild> LockForOfficer(pqxx::work& tx, int64_t child_id,
                                           const auth::Scope& scope) {
  std::optional<LockedChild> child = ChildRepository(tx).Lock(child_id);
  if (!child) return ChildNotFound(child_id);
  if (absl::Status st = access::CheckCountyOfficer(scope, child->lanskod); !st.ok()) return st;
  return *child;
}

}  // namespace

absl::Status PlacementServiceImpl::DoAssignChild(const grpc::CallContext& call,
                                                 const v1::AssignChildRequest& req,
                                                 v1::Child* resp) {
  absl::StatusOr<int64_t> id = ParseChildName(req.name(), "name");
  if (!id.ok()) return id.status();
  const auth::Scope scope = auth::Scope::Of(call.caller());
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) { return LockForOfficer(tx, *id, scope); },
      [&](pqxx::work& tx, const LockedChild& locked) -> absl::Status {
        ChildRepository repo(tx);
        absl::StatusOr<std::optional<ChildRecord>> record = LoadChild(repo, *deps_.protector, *id);
        if (!record.ok()) return record.status();
        if (!*record) return ChildNotFound(*id);
        const v1::Child& child = (*record)->child;
        if (child.state() != v1::CHILD_STATE_WAITING) {
          return status::FailedPrecondition(kReasonChildAssigned,
                                            absl::StrCat(req.name(), " is assigned already"),
                                            {{"kommunkod", child.assignment().kommunkod()}});
        }
        absl::StatusOr<std::optional<v1::Assignment>> assigned =
            AssignWaitingChild(tx, change, *id, child.arrival(), locked.lanskod, deps_.clock());
        if (!assigned.ok()) return assigned.status();
        if (!*assigned) {
          const std::string key =
              AllocationKeyName(locked.lanskod, child.arrival().arrival_date().year());
          return status::FailedPrecondition(kReasonKeyMissing,
                                            absl::StrCat(key, " has not been entered yet"),
                                            {{"allocation_key", key}});
        }
        absl::StatusOr<std::optional<ChildRecord>> updated = LoadChild(repo, *deps_.protector, *id);
        if (!updated.ok()) return updated.status();
        if (!*updated) return ChildNotFound(*id);
        *resp = std::move((*updated)->child);
        access::RestrictChild(scope, *resp);
        return absl::OkStatus();
      });
}

absl::Status PlacementServiceImpl::DoCorrectAssignment(const grpc::CallContext& call,
                                                       const v1::CorrectAssignmentRequest& req,
                                                       v1::Child* resp) {
  absl::StatusOr<int64_t> id = ParseChildName(req.name(), "name");
  if (!id.ok()) return id.status();
  status::FieldErrors errors;
  absl::StatusOr<se::Kommun> kommun = se::LookupKommun(req.kommunkod(), "kommunkod");
  if (!kommun.ok()) errors.Add("kommunkod", "must be a Swedish kommunkod");
  if (req.reason().size() < kMinReasonBytes || req.reason().size() > kMaxReasonBytes) {
    errors.Add("reason", absl::StrCat("say why the assignment was wrong, ", kMinReasonBytes, "-",
                                      kMaxReasonBytes, " bytes"));
  }
  if (!errors.empty()) return errors.ToStatus();
  const auth::Scope scope = auth::Scope::Of(call.caller());
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) { return LockForOfficer(tx, *id, scope); },
      [&](pqxx::work& tx, const LockedChild& locked) -> absl::Status {
        if (absl::Status st = api::CheckEtag(req.etag(), api::EtagOf(locked.revision), req.name());
            !st.ok()) {
          return st;
        }
        if (kommun->lanskod != locked.lanskod) {
          return status::InvalidField(
              "kommunkod",
              absl::StrCat(kommun->name, " is not in the child's county ", locked.lanskod));
        }
        ChildRepository repo(tx);
        LockStandings(repo, locked.sibling_group, locked.lanskod);
        absl::StatusOr<std::optional<ChildRecord>> record = repo.Get(*id);
        if (!record.ok()) return record.status();
        if (!*record) return ChildNotFound(*id);
        const v1::Child& child = (*record)->child;
        if (child.state() != v1::CHILD_STATE_ASSIGNED) {
          return status::FailedPrecondition(kReasonChildWaiting,
                                            absl::StrCat(req.name(), " is not assigned yet"));
        }
        if (child.assignment().kommunkod() == req.kommunkod()) {
          return status::FailedPrecondition(
              kReasonAssignmentUnchanged,
              absl::StrCat(req.name(), " is assigned to kommun ", req.kommunkod(), " already"));
        }
        const v1::Assignment corrected =
            CorrectedAssignment(child.assignment(), req.kommunkod(), req.reason());
        const std::string detail = absl::StrCat("from kommun ", child.assignment().kommunkod(),
                                                " to kommun ", req.kommunkod());
        const absl::Time now = deps_.clock();
        if (absl::Status st =
                RecordAssignment(repo, change, *id, corrected, "correctAssignment", detail, now);
            !st.ok()) {
          return st;
        }
        // A sibling group goes to one kommun: its other assigned children move too.
        if (!locked.sibling_group.empty()) {
          for (int64_t sibling : repo.LockAssignedSiblings(locked.sibling_group, *id)) {
            absl::StatusOr<std::optional<ChildRecord>> s = repo.Get(sibling);
            if (!s.ok()) return s.status();
            if (!*s || (*s)->child.assignment().kommunkod() == req.kommunkod()) continue;
            const v1::Assignment moved =
                CorrectedAssignment((*s)->child.assignment(), req.kommunkod(), req.reason());
            if (absl::Status st =
                    RecordAssignment(repo, change, sibling, moved, "correctAssignment",
                                     absl::StrCat(detail, ", with sibling ", req.name()), now);
                !st.ok()) {
              return st;
            }
          }
        }
        absl::StatusOr<std::optional<ChildRecord>> updated = LoadChild(repo, *deps_.protector, *id);
        if (!updated.ok()) return updated.status();
        if (!*updated) return ChildNotFound(*id);
        *resp = std::move((*updated)->child);
        access::RestrictChild(scope, *resp);
        return absl::OkStatus();
      });
}

}  // namespace integration::placement
