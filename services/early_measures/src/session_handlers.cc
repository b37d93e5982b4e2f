// EarlyMeasuresService session RPCs: an organisation adds sessions to its activities and
// records who attended; hours per participant follow from the sessions attended.
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "access.h"
#include "activity_repository.h"
#include "early_measures_service.h"
#include "integration/api/change.h"
#include "integration/api/handler.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/early_measures/v1/events.pb.h"
#include "participant_repository.h"
#include "rules/names.h"
#include "rules/tia_rules.h"

namespace integration::early_measures {
namespace {

constexpr std::string_view kReasonActivityNotFound = "ACTIVITY_NOT_FOUND";
constexpr std::string_view kReasonSessionNotFound = "SESSION_NOT_FOUND";
constexpr std::string_view kReasonAttendanceInvalid = "ATTENDANCE_INVALID";

absl::Status NotFound(std::string_view reason, const std::string& name) {
  return status::NotFound(reason, absl::StrCat(name, " does not exist"), {{"name", name}});
}

// How a session change holds its activity: a new session needs only the activity to stay as it
// is (its period) and takes a share lock, so that sessions of one activity are added in
// parallel; a change of a session's attendance serialises with every other change.
enum class ActivityLock { kShared, kExclusive };

// Activity `id` of its organisation, locked for a change of its sessions.
absl::StatusOr<ActivityRecord> LockActivity(pqxx::work& tx, const ActivityId& id,
                                            ActivityLock lock) {
  ActivityRepository repo(tx);
  const std::string name = ActivityName(id.orgnr, id.activity_id);
  const std::optional<int64_t> locked = lock == ActivityLock::kShared
                                            ? repo.LockShared(id.activity_id, id.orgnr)
                                            : repo.Lock(id.activity_id, id.orgnr);
  if (!locked) return NotFound(kReasonActivityNotFound, name);
  absl::StatusOr<std::optional<ActivityRecord>> a = repo.Get(id.activity_id);
  if (!a.ok()) return a.status();
  if (!*a) return NotFound(kReasonActivityNotFound, name);
  return **std::move(a);
}

}  // namespace

absl::Status EarlyMeasuresServiceImpl::DoCreateSession(const grpc::CallContext& call,
                                                       const v1::CreateSessionRequest& req,
                                                       v1::Session* resp) {
  absl::StatusOr<ActivityId> id = ParseActivityName(req.parent(), "parent");
  if (!id.ok()) return id.status();
  if (absl::Status st = access::CheckOrganisation(auth::Scope::Of(call.caller()), id->orgnr);
      !st.ok()) {
    return st;
  }
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) { return LockActivity(tx, *id, ActivityLock::kShared); },
      [&](pqxx::work& tx, const ActivityRecord& activity) -> absl::Status {
        if (absl::Status st = CheckSession(req.session(), activity.period, "session"); !st.ok()) {
          return st;
        }
        ActivityRepository repo(tx);
        const int64_t session_id = repo.InsertSession(
            id->activity_id, *DayOf(req.session().date()), req.session().duration_minutes(),
            deps_.clock());
        absl::StatusOr<std::optional<SessionRecord>> created =
            repo.Session(id->orgnr, id->activity_id, session_id);
        if (!created.ok()) return created.status();
        if (!*created) return status::Internal("inserted session not found");
        *resp = std::move((*created)->session);
        change.Audit(resp->name(), "create",
                     absl::StrCat(resp->duration_minutes(), " minutes"));
        return absl::OkStatus();
      });
}

absl::Status EarlyMeasuresServiceImpl::DoListSessions(const grpc::CallContext& call,
                                                      const v1::ListSessionsRequest& req,
                                                      v1::ListSessionsResponse* resp) {
  absl::StatusOr<ActivityId> id = ParseActivityName(req.parent(), "parent");
  if (!id.ok()) return id.status();
  absl::StatusOr<int> size = api::PageSize(req.page_size());
  if (!size.ok()) return size.status();
  absl::StatusOr<api::IdPage> page = api::ReadIdPage(
      absl::StrCat("ListSessions|", id->orgnr, "|", id->activity_id), *size, req.page_token());
  if (!page.ok()) return page.status();
  const auth::Scope scope = auth::Scope::Of(call.caller());
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    ActivityRepository repo(tx);
    absl::StatusOr<std::optional<ActivityRecord>> a = repo.Get(id->activity_id);
    if (!a.ok()) return a.status();
    if (!*a || (*a)->orgnr != id->orgnr) return NotFound(kReasonActivityNotFound, req.parent());
    if (absl::Status st =
            access::CheckActivityReader(scope, id->orgnr, (*a)->activity.lanskod());
        !st.ok()) {
      return st;
    }
    absl::StatusOr<std::vector<SessionRecord>> list =
        repo.Sessions(id->orgnr, id->activity_id, page->after, page->size + 1);
    if (!list.ok()) return list.status();
    resp->set_next_page_token(
        api::NextIdPageToken(*page, *list, [](const SessionRecord& s) { return s.session_id; }));
    for (SessionRecord& s : *list) *resp->add_sessions() = std::move(s.session);
    return absl::OkStatus();
  });
}

absl::Status EarlyMeasuresServiceImpl::DoRecordAttendance(const grpc::CallContext& call,
                                                          const v1::RecordAttendanceRequest& req,
                                                          v1::Session* resp) {
  absl::StatusOr<SessionId> id = ParseSessionName(req.name(), "name");
  if (!id.ok()) return id.status();
  const std::string& orgnr = id->activity.orgnr;
  if (absl::Status st = access::CheckOrganisation(auth::Scope::Of(call.caller()), orgnr);
      !st.ok()) {
    return st;
  }
  // Each participant once, and of this organisation (checked against the table below).
  status::FieldErrors errors;
  std::vector<int64_t> ids;
  std::set<int64_t> seen;
  for (int i = 0; i < req.participants_size(); ++i) {
    const std::string field = absl::StrCat("participants[", i, "]");
    absl::StatusOr<ParticipantId> p = ParseParticipantName(req.participants(i), field);
    if (!p.ok()) {
      errors.Add(field, "must be \"organisations/{orgnr}/participants/{participant}\"");
    } else if (p->orgnr != orgnr) {
      errors.Add(field, "must be a participant of the session's organisation");
    } else if (!seen.insert(p->participant_id).second) {
      errors.Add(field, "is listed twice");
    } else {
      ids.push_back(p->participant_id);
    }
  }
  if (!errors.empty()) return errors.ToStatus(kReasonAttendanceInvalid);

  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) { return LockActivity(tx, id->activity, ActivityLock::kExclusive); },
      [&](pqxx::work& tx, const ActivityRecord& activity) -> absl::Status {
        ActivityRepository repo(tx);
        absl::StatusOr<std::optional<SessionRecord>> session =
            repo.Session(orgnr, id->activity.activity_id, id->session_id);
        if (!session.ok()) return session.status();
        if (!*session) return NotFound(kReasonSessionNotFound, req.name());
        absl::StatusOr<std::vector<ParticipantRecord>> known =
            ParticipantRepository(tx).Of(orgnr, ids, (*session)->day.year());
        if (!known.ok()) return known.status();
        if (known->size() != ids.size()) {
          return status::NotFound("PARTICIPANT_NOT_FOUND",
                                  "a listed participant is not registered with the organisation");
        }
        repo.RecordAttendance(id->session_id, ids);
        absl::StatusOr<std::optional<SessionRecord>> updated =
            repo.Session(orgnr, id->activity.activity_id, id->session_id);
        if (!updated.ok()) return updated.status();
        *resp = std::move((*updated)->session);
        change.Audit(resp->name(), "record_attendance",
                     absl::StrCat(resp->attendees(), " present"));
        v1::AttendanceRecordedEvent event;
        event.set_session(resp->name());
        *event.mutable_date() = resp->date();
        event.set_attendees(resp->attendees());
        event.set_duration_minutes(resp->duration_minutes());
        api::SetTimestamp(deps_.clock(), event.mutable_record_time());
        return change.Emit(resp->name(), event,
                           access::ActivityOwner(orgnr, activity.activity.lanskod()));
      });
}

}  // namespace integration::early_measures
