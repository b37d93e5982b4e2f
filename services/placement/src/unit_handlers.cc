// PlacementService unit RPCs: a kommun's officers add and keep its placement units current;
// the kommun and its county read them with their occupancy.
#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "access.h"
#include "integration/api/change.h"
#include "integration/api/handler.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/status/status.h"
#include "placement_service.h"
#include "rules/names.h"
#include "rules/placement_rules.h"
#include "unit_repository.h"

namespace integration::placement {
namespace {

constexpr std::string_view kReasonUnitNotFound = "UNIT_NOT_FOUND";
constexpr std::string_view kReasonPlacesTaken = "PLACES_TAKEN";

absl::Status UnitNotFound(const std::string& name) {
  return status::NotFound(kReasonUnitNotFound, absl::StrCat(name, " does not exist"),
                          {{"unit", name}});
}

// The unit `id` names, or NOT_FOUND also when it belongs to another kommun than its name says.
absl::StatusOr<UnitRecord> FindUnit(pqxx::work& tx, const UnitId& id) {
  absl::StatusOr<std::optional<UnitRecord>> unit = UnitRepository(tx).Get(id.unit_id);
  if (!unit.ok()) return unit.status();
  const std::string name = UnitName(id.kommunkod, id.unit_id);
  if (!*unit || (*unit)->unit.name() != name) return UnitNotFound(name);
  return **std::move(unit);
}

}  // namespace

absl::Status PlacementServiceImpl::DoCreateUnit(const grpc::CallContext& call,
                                                const v1::CreateUnitRequest& req, v1::Unit* resp) {
  absl::StatusOr<std::string> kommunkod = ParseKommunName(req.parent(), "parent");
  if (!kommunkod.ok()) return kommunkod.status();
  if (absl::Status st = access::CheckUnitKeeper(auth::Scope::Of(call.caller()), *kommunkod);
      !st.ok()) {
    return st;
  }
  if (absl::Status st = CheckUnit(req.unit(), "unit"); !st.ok()) return st;
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    UnitRepository repo(tx);
    const int64_t id = repo.Insert(*kommunkod, kommunkod->substr(0, 2), req.unit(), deps_.clock());
    absl::StatusOr<std::optional<UnitRecord>> created = repo.Get(id);
    if (!created.ok()) return created.status();
    if (!*created) return status::Internal("inserted unit not found");
    *resp = std::move((*created)->unit);
    change.Audit(resp->name(), "create",
                 absl::StrCat(v1::UnitType_Name(resp->type()), ", ", resp->places(), " places"));
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoGetUnit(const grpc::CallContext& call,
                                             const v1::GetUnitRequest& req, v1::Unit* resp) {
  absl::StatusOr<UnitId> id = ParseUnitName(req.name(), "name");
  if (!id.ok()) return id.status();
  if (absl::Status st = access::CheckUnitReader(auth::Scope::Of(call.caller()), id->kommunkod);
      !st.ok()) {
    return st;
  }
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    absl::StatusOr<UnitRecord> unit = FindUnit(tx, *id);
    if (!unit.ok()) return unit.status();
    *resp = std::move(unit->unit);
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoListUnits(const grpc::CallContext& call,
                                               const v1::ListUnitsRequest& req,
                                               v1::ListUnitsResponse* resp) {
  absl::StatusOr<std::string> kommunkod = ParseKommunName(req.parent(), "parent");
  if (!kommunkod.ok()) return kommunkod.status();
  if (absl::Status st = access::CheckUnitReader(auth::Scope::Of(call.caller()), *kommunkod);
      !st.ok()) {
    return st;
  }
  absl::StatusOr<int> size = api::PageSize(req.page_size());
  if (!size.ok()) return size.status();
  absl::StatusOr<api::IdPage> page =
      api::ReadIdPage(absl::StrCat("ListUnits|", *kommunkod), *size, req.page_token());
  if (!page.ok()) return page.status();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<std::vector<UnitRecord>> units =
        UnitRepository(tx).List(*kommunkod, page->after, page->size + 1);
    if (!units.ok()) return units.status();
    resp->set_next_page_token(
        api::NextIdPageToken(*page, *units, [](const UnitRecord& u) { return u.unit_id; }));
    for (UnitRecord& u : *units) *resp->add_units() = std::move(u.unit);
    return absl::OkStatus();
  });
}

absl::Status PlacementServiceImpl::DoUpdateUnit(const grpc::CallContext& call,
                                                const v1::UpdateUnitRequest& req, v1::Unit* resp) {
  absl::StatusOr<UnitId> id = ParseUnitName(req.unit().name(), "unit.name");
  if (!id.ok()) return id.status();
  if (absl::Status st = access::CheckUnitKeeper(auth::Scope::Of(call.caller()), id->kommunkod);
      !st.ok()) {
    return st;
  }
  absl::StatusOr<std::set<std::string>> paths = api::MaskPaths(
      req.update_mask(),
      {"display_name", "places", "min_age", "max_age", "sexes", "languages", "special_reason"});
  if (!paths.ok()) return paths.status();
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    UnitRepository repo(tx);
    // Under the unit's lock no confirmation can take a place while the places change.
    std::optional<LockedUnit> locked = repo.Lock(id->unit_id);
    if (!locked || locked->kommunkod != id->kommunkod) return UnitNotFound(req.unit().name());
    if (absl::Status st =
            api::CheckEtag(req.unit().etag(), api::EtagOf(locked->revision), req.unit().name());
        !st.ok()) {
      return st;
    }
    absl::StatusOr<UnitRecord> current = FindUnit(tx, *id);
    if (!current.ok()) return current.status();
    v1::Unit merged = std::move(current->unit);
    const v1::Unit& given = req.unit();
    if (paths->count("display_name")) merged.set_display_name(given.display_name());
    if (paths->count("places")) merged.set_places(given.places());
    if (paths->count("min_age")) merged.set_min_age(given.min_age());
    if (paths->count("max_age")) merged.set_max_age(given.max_age());
    if (paths->count("sexes")) *merged.mutable_sexes() = given.sexes();
    if (paths->count("languages")) *merged.mutable_languages() = given.languages();
    if (paths->count("special_reason")) merged.set_special_reason(given.special_reason());
    if (absl::Status st = CheckUnit(merged, "unit"); !st.ok()) return st;
    const int64_t taken = repo.Taken(id->unit_id);
    if (merged.places() < taken) {
      return status::FailedPrecondition(
          kReasonPlacesTaken,
          absl::StrCat(taken, " places are taken; end placements before removing places"),
          {{"taken", absl::StrCat(taken)}});
    }
    repo.Update(id->unit_id, merged, deps_.clock());
    absl::StatusOr<UnitRecord> updated = FindUnit(tx, *id);
    if (!updated.ok()) return updated.status();
    *resp = std::move(updated->unit);
    change.Audit(resp->name(), "update", absl::StrJoin(*paths, ","));
    return absl::OkStatus();
  });
}

}  // namespace integration::placement
