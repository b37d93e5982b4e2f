// PlacementService placement RPCs: a child → unit, PROPOSED → CONFIRMED → ACTIVE → ENDED.
// Proposals check the hard constraints (an assigned child, age and sex that fit, siblings
// together unless a reason is given); a confirmation takes a place under the unit's row lock,
// so that no unit ever has more confirmed and active placements than places.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "access.h"
#include "assignment.h"
#include "child_repository.h"
#include "integration/api/change.h"
#include "integration/api/handler.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/placement/v1/events.pb.h"
#include "placement_repository.h"
#include "placement_service.h"
#include "rules/arrival_rules.h"
#include "rules/names.h"
#include "rules/placement_rules.h"
#include "unit_repository.h"

namespace integration::placement {
namespace {

constexpr std::string_view kReasonPlacementNotFound = "PLACEMENT_NOT_FOUND";
constexpr std::string_view kReasonUnitNotFound = "UNIT_NOT_FOUND";
constexpr std::string_view kReasonChildNotAssigned = "CHILD_NOT_ASSIGNED";
constexpr std::string_view kReasonChildPlaced = "CHILD_ALREADY_PLACED";
constexpr std::string_view kReasonSiblingsApart = "SIBLINGS_APART";
constexpr std::string_view kReasonUnitFull = "UNIT_FULL";

absl::Status PlacementNotFound(const std::string& name) {
  return status::NotFound(kReasonPlacementNotFound, absl::StrCat(name, " does not exist"),
                          {{"placement", name}});
}

// What a placement change knows about its placement, child and unit.
struct PlacementTarget {
  LockedPlacement placement;
  v1::Child child;  // without the dossier number
  UnitRecord unit;
};

// Locks placement `id` and loads its child and unit (for the access check).
absl::StatusOr<PlacementTarget> LoadPlacementTarget(pqxx::work& tx, const PlacementId& id,
                                                    const std::string& name) {
  absl::StatusOr<std::optional<LockedPlacement>> placement =
      PlacementRepository(tx).Lock(id.child_id, id.placement_id);
  if (!placement.ok()) return placement.status();
  if (!*placement) return PlacementNotFound(name);
  absl::StatusOr<std::optional<ChildRecord>> child = ChildRepository(tx).Get(id.child_id);
  if (!child.ok()) return child.status();
  absl::StatusOr<std::optional<UnitRecord>> unit = UnitRepository(tx).Get((*placement)->unit_id);
  if (!unit.ok()) return unit.status();
  if (!*child || !*unit) return status::Internal("a placement without its child or unit");
  return PlacementTarget{**placement, std::move((*child)->child), **std::move(unit)};
}

std::string KommunOf(const v1::Unit& unit) {
  absl::StatusOr<UnitId> id = ParseUnitName(unit.name(), "unit");
  return id.ok() ? id->kommunkod : "";
}

// The first step of a confirmation, start or end: the placement locked, and the caller one who
// decides on it (access::CheckPlacementDecider).
absl::StatusOr<PlacementTarget> AuthorizeDecider(pqxx::work& tx, const PlacementId& id,
                                                 const std::string& name,
                                                 const auth::Scope& scope) {
  absl::StatusOr<PlacementTarget> target = LoadPlacementTarget(tx, id, name);
  if (!target.ok()) return target.status();
  if (absl::Status st = access::CheckPlacementDecider(scope, OwnersOf(target->child),
                                                      KommunOf(target->unit.unit));
      !st.ok()) {
    return st;
  }
  return target;
}

// The placement was not changed since the caller read it (`etag`, when given) and may move to
// `to`.
absl::Status CheckMove(const PlacementTarget& target, std::string_view etag, v1::PlacementState to,
                       const std::string& name) {
  if (absl::Status st = api::CheckEtag(etag, api::EtagOf(target.placement.revision), name);
      !st.ok()) {
    return st;
  }
  return CheckPlacementTransition(target.placement.state, to, name);
}

// The placement as it is after a change.
absl::Status ReadPlacement(pqxx::work& tx, const PlacementId& id, const std::string& name,
                           v1::Placement* out) {
  absl::StatusOr<std::optional<PlacementRecord>> record =
      PlacementRepository(tx).Get(id.child_id, id.placement_id);
  if (!record.ok()) return record.status();
  if (!*record) return PlacementNotFound(name);
  *out = std::move((*record)->placement);
  return absl::OkStatus();
}

}  // namespace

absl::Status PlacementServiceImpl::DoCreatePlacement(const grpc::CallContext& call,
                                                     const v1::CreatePlacementRequest& req,
                                                     v1::Placement* resp) {
  absl::StatusOr<int64_t> child_id = ParseChildName(req.parent(), "parent");
  if (!child_id.ok()) return child_id.status();
  absl::StatusOr<UnitId> unit_id = ParseUnitName(req.placement().unit(), "placement.unit");
  if (!unit_id.ok()) return unit_id.status();
  const std::string& override_reason = req.placement().sibling_override_reason();
  if (!override_reason.empty() &&
      (override_reason.size() < kMinReasonBytes || override_reason.size() > kMaxReasonBytes)) {
    return status::InvalidField("placement.sibling_override_reason",
                                absl::StrCat(kMinReasonBytes, "-", kMaxReasonBytes, " bytes"));
  }
  const auth::Scope scope = auth::Scope::Of(call.caller());
  struct Target {
    v1::Child child;
    UnitRecord unit;
  };
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) -> absl::StatusOr<Target> {
        absl::StatusOr<std::optional<ChildRecord>> child = ChildRepository(tx).Get(*child_id);
        if (!child.ok()) return child.status();
        if (!*child) return ChildNotFound(*child_id);
        absl::StatusOr<std::optional<UnitRecord>> unit = UnitRepository(tx).Get(unit_id->unit_id);
        if (!unit.ok()) return unit.status();
        if (!*unit || (*unit)->unit.name() != req.placement().unit()) {
          return status::NotFound(kReasonUnitNotFound,
                                  absl::StrCat(req.placement().unit(), " does not exist"));
        }
        if (absl::Status st = access::CheckPlacementProposer(scope, OwnersOf((*child)->child),
                                                             unit_id->kommunkod);
            !st.ok()) {
          return st;
        }
        return Target{std::move((*child)->child), **std::move(unit)};
      },
      [&](pqxx::work& tx, const Target& target) -> absl::Status {
        const v1::Child& child = target.child;
        if (child.state() != v1::CHILD_STATE_ASSIGNED) {
          return status::FailedPrecondition(
              kReasonChildNotAssigned,
              absl::StrCat(child.name(), " is placed once it is assigned to a kommun"));
        }
        if (absl::Status st = CheckFit(ChildAgeOn(child.arrival(), Today()), child.arrival().sex(),
                                       target.unit.unit);
            !st.ok()) {
          return st;
        }
        const std::string& group = child.arrival().sibling_group();
        if (!group.empty()) {
          // Siblings proposed at the same time wait for each other here.
          ChildRepository(tx).LockStandings(absl::StrCat("siblings:", group));
          for (int64_t unit : PlacementRepository(tx).SiblingUnits(group, *child_id)) {
            if (unit != target.unit.unit_id && override_reason.empty()) {
              return status::FailedPrecondition(
                  kReasonSiblingsApart,
                  "a sibling is placed in another unit; give a sibling_override_reason to "
                  "place the child apart",
                  {{"sibling_unit", absl::StrCat(unit)}});
            }
          }
        }
        std::optional<int64_t> id = PlacementRepository(tx).Insert(*child_id, target.unit.unit_id,
                                                                   override_reason, deps_.clock());
        if (!id) {
          return status::FailedPrecondition(
              kReasonChildPlaced, absl::StrCat(child.name(), " has an open placement already"));
        }
        const PlacementId pid{*child_id, *id};
        const std::string name = PlacementName(*child_id, *id);
        if (absl::Status st = ReadPlacement(tx, pid, name, resp); !st.ok()) return st;
        change.Audit(name, "propose",
                     absl::StrCat(resp->unit(), override_reason.empty() ? "" : ", siblings apart"));
        return absl::OkStatus();
      });
}

absl::Status PlacementServiceImpl::DoGetPlacement(const grpc::CallContext& call,
                                                  const v1::GetPlacementRequest& req,
                                                  v1::Placement* resp) {
  absl::StatusOr<PlacementId> id = ParsePlacementName(req.name(), "name");
  if (!id.ok()) return id.status();
  const auth::Scope scope = auth::Scope::Of(call.caller());
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    absl::StatusOr<std::optional<PlacementRecord>> record =
        PlacementRepository(tx).Get(id->child_id, id->placement_id);
    if (!record.ok()) return record.status();
    if (!*record) return PlacementNotFound(req.name());
    absl::StatusOr<std::optional<ChildRecord>> child = ChildRepository(tx).Get(id->child_id);
    if (!child.ok()) return child.status();
    if (!*child) return ChildNotFound(id->child_id);
    absl::StatusOr<UnitId> unit = ParseUnitName((*record)->placement.unit(), "unit");
    if (!unit.ok()) return status::Internal("a placement with an unreadable unit");
    if (absl::Status st =
            access::CheckPlacementReader(scope, OwnersOf((*child)->child), unit->kommunkod);
        !st.ok()) {
      return st;
    }
    *resp = std::move((*record)->placement);
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoListPlacements(const grpc::CallContext& call,
                                                    const v1::ListPlacementsRequest& req,
                                                    v1::ListPlacementsResponse* resp) {
  absl::StatusOr<int64_t> child_id = ParseChildName(req.parent(), "parent");
  if (!child_id.ok()) return child_id.status();
  absl::StatusOr<int> size = api::PageSize(req.page_size());
  if (!size.ok()) return size.status();
  absl::StatusOr<api::IdPage> page =
      api::ReadIdPage(absl::StrCat("ListPlacements|", *child_id), *size, req.page_token());
  if (!page.ok()) return page.status();
  const auth::Scope scope = auth::Scope::Of(call.caller());
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<std::optional<ChildRecord>> child = ChildRepository(tx).Get(*child_id);
    if (!child.ok()) return child.status();
    if (!*child) return ChildNotFound(*child_id);
    if (absl::Status st = access::CheckChildReader(scope, OwnersOf((*child)->child)); !st.ok()) {
      return st;
    }
    absl::StatusOr<std::vector<PlacementRecord>> rows =
        PlacementRepository(tx).List(*child_id, page->after, page->size + 1);
    if (!rows.ok()) return rows.status();
    resp->set_next_page_token(api::NextIdPageToken(
        *page, *rows, [](const PlacementRecord& r) { return r.placement_id; }));
    for (PlacementRecord& r : *rows) *resp->add_placements() = std::move(r.placement);
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoConfirmPlacement(const grpc::CallContext& call,
                                                      const v1::ConfirmPlacementRequest& req,
                                                      v1::Placement* resp) {
  absl::StatusOr<PlacementId> id = ParsePlacementName(req.name(), "name");
  if (!id.ok()) return id.status();
  const auth::Scope scope = auth::Scope::Of(call.caller());
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) { return AuthorizeDecider(tx, *id, req.name(), scope); },
      [&](pqxx::work& tx, const PlacementTarget& target) -> absl::Status {
        if (absl::Status st =
                CheckMove(target, req.etag(), v1::PLACEMENT_STATE_CONFIRMED, req.name());
            !st.ok()) {
          return st;
        }
        UnitRepository units(tx);
        // Confirmations of one unit queue here; each counts the places taken before it.
        std::optional<LockedUnit> unit = units.Lock(target.placement.unit_id);
        if (!unit) return status::Internal("a placement without its unit");
        const int64_t taken = units.Taken(target.placement.unit_id);
        if (taken >= unit->places) {
          return status::FailedPrecondition(
              kReasonUnitFull,
              absl::StrCat(target.unit.unit.name(), " has all ", unit->places, " places taken"),
              {{"unit", target.unit.unit.name()}});
        }
        // The unit may have changed since the proposal: the child must still fit.
        absl::StatusOr<std::optional<UnitRecord>> current = units.Get(target.placement.unit_id);
        if (!current.ok()) return current.status();
        if (!*current) return status::Internal("a placement without its unit");
        if (absl::Status st = CheckFit(ChildAgeOn(target.child.arrival(), Today()),
                                       target.child.arrival().sex(), (*current)->unit);
            !st.ok()) {
          return st;
        }
        const absl::Time now = deps_.clock();
        PlacementRepository(tx).SetState(id->placement_id, v1::PLACEMENT_STATE_CONFIRMED,
                                         v1::END_REASON_UNSPECIFIED, now);
        if (absl::Status st = ReadPlacement(tx, *id, req.name(), resp); !st.ok()) return st;
        change.Audit(req.name(), "confirm", resp->unit());
        v1::PlacementConfirmedEvent event;
        event.set_placement(req.name());
        event.set_unit(resp->unit());
        api::SetTimestamp(now, event.mutable_confirm_time());
        return change.Emit(
            req.name(), event,
            access::PlacementEventOwner(OwnersOf(target.child), KommunOf(target.unit.unit)));
      });
}

absl::Status PlacementServiceImpl::DoStartPlacement(const grpc::CallContext& call,
                                                    const v1::StartPlacementRequest& req,
                                                    v1::Placement* resp) {
  absl::StatusOr<PlacementId> id = ParsePlacementName(req.name(), "name");
  if (!id.ok()) return id.status();
  const auth::Scope scope = auth::Scope::Of(call.caller());
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) { return AuthorizeDecider(tx, *id, req.name(), scope); },
      [&](pqxx::work& tx, const PlacementTarget& target) -> absl::Status {
        if (absl::Status st = CheckMove(target, req.etag(), v1::PLACEMENT_STATE_ACTIVE, req.name());
            !st.ok()) {
          return st;
        }
        PlacementRepository(tx).SetState(id->placement_id, v1::PLACEMENT_STATE_ACTIVE,
                                         v1::END_REASON_UNSPECIFIED, deps_.clock());
        if (absl::Status st = ReadPlacement(tx, *id, req.name(), resp); !st.ok()) return st;
        change.Audit(req.name(), "start", resp->unit());
        return absl::OkStatus();
      });
}

absl::Status PlacementServiceImpl::DoEndPlacement(const grpc::CallContext& call,
                                                  const v1::EndPlacementRequest& req,
                                                  v1::Placement* resp) {
  absl::StatusOr<PlacementId> id = ParsePlacementName(req.name(), "name");
  if (!id.ok()) return id.status();
  if (req.reason() == v1::END_REASON_UNSPECIFIED || !v1::EndReason_IsValid(req.reason())) {
    return status::InvalidField("reason", "say why the placement ends");
  }
  const auth::Scope scope = auth::Scope::Of(call.caller());
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) { return AuthorizeDecider(tx, *id, req.name(), scope); },
      [&](pqxx::work& tx, const PlacementTarget& target) -> absl::Status {
        if (absl::Status st = CheckMove(target, req.etag(), v1::PLACEMENT_STATE_ENDED, req.name());
            !st.ok()) {
          return st;
        }
        const absl::Time now = deps_.clock();
        PlacementRepository(tx).SetState(id->placement_id, v1::PLACEMENT_STATE_ENDED, req.reason(),
                                         now);
        if (absl::Status st = ReadPlacement(tx, *id, req.name(), resp); !st.ok()) return st;
        change.Audit(req.name(), "end", v1::EndReason_Name(req.reason()));
        v1::PlacementEndedEvent event;
        event.set_placement(req.name());
        event.set_unit(resp->unit());
        event.set_reason(req.reason());
        api::SetTimestamp(now, event.mutable_end_time());
        return change.Emit(
            req.name(), event,
            access::PlacementEventOwner(OwnersOf(target.child), KommunOf(target.unit.unit)));
      });
}

}  // namespace integration::placement
