// EarlyMeasuresService activity RPCs: an organisation registers and changes its activities,
// each accepted only when grants confirms an approved TIA decision covering its period.
#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "access.h"
#include "activity_repository.h"
#include "early_measures_service.h"
#include "integration/api/change.h"
#include "integration/api/handler.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/early_measures/v1/events.pb.h"
#include "rules/names.h"
#include "rules/tia_rules.h"

namespace integration::early_measures {
namespace {

constexpr std::string_view kReasonActivityNotFound = "ACTIVITY_NOT_FOUND";

absl::Status ActivityNotFound(const std::string& name) {
  return status::NotFound(kReasonActivityNotFound, absl::StrCat(name, " does not exist"),
                          {{"activity", name}});
}

// The activity `id` names; NOT_FOUND also when it is another organisation's.
absl::StatusOr<ActivityRecord> FindActivity(pqxx::work& tx, const ActivityId& id) {
  absl::StatusOr<std::optional<ActivityRecord>> a = ActivityRepository(tx).Get(id.activity_id);
  if (!a.ok()) return a.status();
  if (!*a || (*a)->orgnr != id.orgnr) return ActivityNotFound(ActivityName(id.orgnr, id.activity_id));
  return **std::move(a);
}

}  // namespace

int EarlyMeasuresServiceImpl::ThisYear() const {
  return static_cast<int>(absl::ToCivilYear(deps_.clock(), deps_.zone).year());
}

absl::StatusOr<FundingDecision> EarlyMeasuresServiceImpl::CoveringFunding(
    const grpc::CallContext& call, std::string_view orgnr, std::string_view kommunkod,
    const Period& period) {
  // The kommunkod's first two digits are its county's code.
  const std::string_view lanskod = kommunkod.substr(0, 2);
  absl::StatusOr<std::vector<FundingDecision>> decisions =
      deps_.funding->Decisions(call, orgnr, lanskod, period);
  if (!decisions.ok()) return decisions.status();
  std::optional<FundingDecision> covering = CoveringDecision(*decisions, period);
  if (!covering) return NoCoveringDecision(orgnr, lanskod, period);
  return *std::move(covering);
}

absl::Status EarlyMeasuresServiceImpl::DoCreateActivity(const grpc::CallContext& call,
                                                        const v1::CreateActivityRequest& req,
                                                        v1::Activity* resp) {
  absl::StatusOr<std::string> orgnr = ParseOrganisationName(req.parent(), "parent");
  if (!orgnr.ok()) return orgnr.status();
  if (absl::Status st = access::CheckOrganisation(auth::Scope::Of(call.caller()), *orgnr);
      !st.ok()) {
    return st;
  }
  if (absl::Status st = CheckActivity(req.activity(), "activity"); !st.ok()) return st;
  status::FieldErrors unused;
  const Period period = *CheckPeriod(req.activity().period(), "activity.period", unused);
  // Asked before the transaction: no row lock or connection is held while grants answers.
  absl::StatusOr<FundingDecision> decision = CoveringFunding(call, *orgnr, req.activity().kommunkod(), period);
  if (!decision.ok()) return decision.status();
  const Funding funding{*decision, deps_.clock()};

  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    ActivityRepository repo(tx);
    const int64_t id = repo.Insert(*orgnr, req.activity(), period, funding, deps_.clock());
    absl::StatusOr<ActivityRecord> created = FindActivity(tx, ActivityId{*orgnr, id});
    if (!created.ok()) return created.status();
    *resp = std::move(created->activity);
    change.Audit(resp->name(), "create",
                 absl::StrCat(v1::ActivityType_Name(resp->type()), ", funded by ",
                              funding.decision.diarienummer));
    v1::ActivityRegisteredEvent event;
    event.set_activity(resp->name());
    event.set_type(resp->type());
    event.set_kommunkod(resp->kommunkod());
    *event.mutable_period() = resp->period();
    event.set_funding_application(funding.decision.application);
    *event.mutable_register_time() = resp->create_time();
    return change.Emit(resp->name(), event, access::ActivityOwner(*orgnr, resp->lanskod()));
  });
}

absl::Status EarlyMeasuresServiceImpl::DoGetActivity(const grpc::CallContext& call,
                                                     const v1::GetActivityRequest& req,
                                                     v1::Activity* resp) {
  absl::StatusOr<ActivityId> id = ParseActivityName(req.name(), "name");
  if (!id.ok()) return id.status();
  const auth::Scope scope = auth::Scope::Of(call.caller());
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    absl::StatusOr<ActivityRecord> a = FindActivity(tx, *id);
    if (!a.ok()) return a.status();
    if (absl::Status st = access::CheckActivityReader(scope, a->orgnr, a->activity.lanskod());
        !st.ok()) {
      return st;
    }
    *resp = std::move(a->activity);
    return absl::OkStatus();
  });
}

absl::Status EarlyMeasuresServiceImpl::DoListActivities(const grpc::CallContext& call,
                                                        const v1::ListActivitiesRequest& req,
                                                        v1::ListActivitiesResponse* resp) {
  absl::StatusOr<std::string> orgnr = ParseOrganisationName(req.parent(), "parent");
  if (!orgnr.ok()) return orgnr.status();
  absl::StatusOr<std::string> lanskod =
      access::ActivityListCounty(auth::Scope::Of(call.caller()), *orgnr);
  if (!lanskod.ok()) return lanskod.status();
  absl::StatusOr<int> size = api::PageSize(req.page_size());
  if (!size.ok()) return size.status();
  absl::StatusOr<api::IdPage> page = api::ReadIdPage(
      absl::StrCat("ListActivities|", *orgnr, "|", *lanskod), *size, req.page_token());
  if (!page.ok()) return page.status();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<std::vector<ActivityRecord>> list =
        ActivityRepository(tx).List(*orgnr, *lanskod, page->after, page->size + 1);
    if (!list.ok()) return list.status();
    resp->set_next_page_token(api::NextIdPageToken(
        *page, *list, [](const ActivityRecord& a) { return a.activity_id; }));
    for (ActivityRecord& a : *list) *resp->add_activities() = std::move(a.activity);
    return absl::OkStatus();
  });
}

absl::Status EarlyMeasuresServiceImpl::DoUpdateActivity(const grpc::CallContext& call,
                                                        const v1::UpdateActivityRequest& req,
                                                        v1::Activity* resp) {
  absl::StatusOr<ActivityId> id = ParseActivityName(req.activity().name(), "activity.name");
  if (!id.ok()) return id.status();
  if (absl::Status st = access::CheckOrganisation(auth::Scope::Of(call.caller()), id->orgnr);
      !st.ok()) {
    return st;
  }
  absl::StatusOr<std::set<std::string>> paths = api::MaskPaths(
      req.update_mask(), {"display_name", "period", "planned_sessions", "planned_hours"});
  if (!paths.ok()) return paths.status();

  // The activity as it is now, to merge into; the change below requires it unchanged.
  absl::StatusOr<ActivityRecord> current = deps_.pool.TransactFor<ActivityRecord>(
      call.deadline(), [&](pqxx::work& tx) { return FindActivity(tx, *id); });
  if (!current.ok()) return current.status();
  if (absl::Status st = api::CheckEtag(req.activity().etag(), current->activity.etag(),
                                       req.activity().name());
      !st.ok()) {
    return st;
  }
  v1::Activity merged = current->activity;
  const v1::Activity& given = req.activity();
  if (paths->count("display_name")) merged.set_display_name(given.display_name());
  if (paths->count("period")) *merged.mutable_period() = given.period();
  if (paths->count("planned_sessions")) merged.set_planned_sessions(given.planned_sessions());
  if (paths->count("planned_hours")) merged.set_planned_hours(given.planned_hours());
  if (absl::Status st = CheckActivity(merged, "activity"); !st.ok()) return st;
  status::FieldErrors unused;
  const Period period = *CheckPeriod(merged.period(), "activity.period", unused);

  // A new period or plan is checked with grants again, as a new activity would be.
  const bool recheck = paths->count("period") || paths->count("planned_sessions") ||
                       paths->count("planned_hours");
  Funding funding = current->funding;
  if (recheck) {
    absl::StatusOr<FundingDecision> decision = CoveringFunding(call, id->orgnr, merged.kommunkod(), period);
    if (!decision.ok()) return decision.status();
    funding = Funding{*std::move(decision), deps_.clock()};
  }

  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    ActivityRepository repo(tx);
    std::optional<int64_t> revision = repo.Lock(id->activity_id, id->orgnr);
    if (!revision) return ActivityNotFound(req.activity().name());
    // Changed since it was read (and checked with grants): the caller reads and tries again.
    if (absl::Status st = api::CheckEtag(current->activity.etag(), api::EtagOf(*revision),
                                         req.activity().name());
        !st.ok()) {
      return st;
    }
    repo.Update(id->activity_id, merged, period, funding, deps_.clock());
    absl::StatusOr<ActivityRecord> updated = FindActivity(tx, *id);
    if (!updated.ok()) return updated.status();
    *resp = std::move(updated->activity);
    const std::string fields = absl::StrJoin(*paths, ",");
    change.Audit(resp->name(), "update", fields);
    v1::ActivityChangedEvent event;
    event.set_activity(resp->name());
    for (const std::string& p : *paths) event.add_changed_fields(p);
    *event.mutable_period() = resp->period();
    event.set_funding_application(resp->funding().application());
    *event.mutable_change_time() = resp->update_time();
    return change.Emit(resp->name(), event, access::ActivityOwner(id->orgnr, resp->lanskod()));
  });
}

}  // namespace integration::early_measures
