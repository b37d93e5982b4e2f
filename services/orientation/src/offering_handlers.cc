// OrientationService offering and session RPCs: the kommuner of an offering keep it and its
// sessions; they and their county read it.
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
#include "integration/dates/day.h"
#include "integration/status/status.h"
#include "offering_repository.h"
#include "orientation_service.h"
#include "rules/names.h"
#include "rules/offering_rules.h"
#include "rules/progress.h"

namespace integration::orientation {
namespace {

constexpr std::string_view kReasonOfferingNotFound = "OFFERING_NOT_FOUND";
constexpr std::string_view kReasonSessionNotFound = "SESSION_NOT_FOUND";
constexpr std::string_view kReasonCapacityBelowEnrolled = "CAPACITY_BELOW_ENROLLED";
constexpr std::string_view kReasonSessionsOutsidePeriod = "SESSIONS_OUTSIDE_PERIOD";
constexpr std::string_view kReasonSessionOutsidePeriod = "SESSION_OUTSIDE_PERIOD";
constexpr std::string_view kReasonSessionCancelled = "SESSION_CANCELLED";
constexpr std::string_view kReasonSessionHasAttendance = "SESSION_HAS_ATTENDANCE";
constexpr size_t kMinReasonBytes = 3;
constexpr size_t kMaxReasonBytes = 500;

absl::Status OfferingNotFound(int64_t offering_id) {
  const std::string name = OfferingName(offering_id);
  return status::NotFound(kReasonOfferingNotFound,
                          absl::StrCat(std::string(name), " does not exist"), {{"offering", name}});
}

absl::Status SessionNotFound(const SessionId& id) {
  const std::string name = SessionName(id.offering_id, id.session_id);
  return status::NotFound(kReasonSessionNotFound,
                          absl::StrCat(std::string(name), " does not exist"), {{"session", name}});
}

// The locked offering of a change, or NOT_FOUND; its keeper is checked.
absl::StatusOr<LockedOffering> LockForKeeper(pqxx::work& tx, const auth::Scope& scope,
                                             int64_t offering_id) {
  absl::StatusOr<std::optional<LockedOffering>> locked = OfferingRepository(tx).Lock(offering_id);
  if (!locked.ok()) return locked.status();
  if (!*locked) return OfferingNotFound(offering_id);
  if (absl::Status st = access::CheckOfferingKeeper(scope, (*locked)->kommunkoder); !st.ok()) {
    return st;
  }
  return **std::move(locked);
}

absl::StatusOr<OfferingRecord> LoadOffering(OfferingRepository& repo, int64_t offering_id) {
  absl::StatusOr<std::optional<OfferingRecord>> record = repo.Get(offering_id);
  if (!record.ok()) return record.status();
  if (!*record) return OfferingNotFound(offering_id);
  return **std::move(record);
}

absl::StatusOr<SessionRecord> LoadSession(OfferingRepository& repo, const SessionId& id) {
  absl::StatusOr<std::optional<SessionRecord>> record = repo.GetSession(id.session_id);
  if (!record.ok()) return record.status();
  if (!*record || (*record)->offering_id != id.offering_id) return SessionNotFound(id);
  return **std::move(record);
}

}  // namespace

absl::Status OrientationServiceImpl::DoCreateOffering(const grpc::CallContext& call,
                                                      const v1::CreateOfferingRequest& req,
                                                      v1::Offering* resp) {
  absl::StatusOr<CheckedOffering> checked = CheckOffering(req.offering(), "offering");
  if (!checked.ok()) return checked.status();
  if (absl::Status st =
          access::CheckOfferingKeeper(auth::Scope::Of(call.caller()), checked->kommunkoder);
      !st.ok()) {
    return st;
  }
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    OfferingRepository repo(tx);
    const int64_t id = repo.Insert(req.offering(), *checked, deps_.clock());
    absl::StatusOr<OfferingRecord> created = LoadOffering(repo, id);
    if (!created.ok()) return created.status();
    *resp = std::move(created->offering);
    change.Audit(resp->name(), "create",
                 absl::StrCat(resp->language(), ", ", absl::StrJoin(checked->kommunkoder, " ")));
    return absl::OkStatus();
  });
}

absl::Status OrientationServiceImpl::DoGetOffering(const grpc::CallContext& call,
                                                   const v1::GetOfferingRequest& req,
                                                   v1::Offering* resp) {
  absl::StatusOr<int64_t> id = ParseOfferingName(req.name(), "name");
  if (!id.ok()) return id.status();
  const auth::Scope scope = auth::Scope::Of(call.caller());
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    OfferingRepository repo(tx);
    absl::StatusOr<OfferingRecord> record = LoadOffering(repo, *id);
    if (!record.ok()) return record.status();
    if (absl::Status st = access::CheckOfferingReader(scope, record->lanskod, record->kommunkoder);
        !st.ok()) {
      return st;
    }
    *resp = std::move(record->offering);
    return absl::OkStatus();
  });
}

absl::Status OrientationServiceImpl::DoListOfferings(const grpc::CallContext& call,
                                                     const v1::ListOfferingsRequest& req,
                                                     v1::ListOfferingsResponse* resp) {
  absl::StatusOr<auth::Tenant> tenant = access::OfferingListScope(auth::Scope::Of(call.caller()));
  if (!tenant.ok()) return tenant.status();
  absl::StatusOr<int> size = api::PageSize(req.page_size());
  if (!size.ok()) return size.status();
  const bool kommun = tenant->kind == auth::Tenant::Kind::kKommun;
  absl::StatusOr<api::IdPage> page =
      api::ReadIdPage(absl::StrCat("ListOfferings|", kommun ? "kommun|" : "lan|", tenant->value),
                      *size, req.page_token());
  if (!page.ok()) return page.status();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    OfferingRepository repo(tx);
    absl::StatusOr<std::vector<OfferingRecord>> offerings =
        kommun ? repo.ListForKommun(tenant->value, page->after, page->size + 1)
               : repo.ListForCounty(tenant->value, page->after, page->size + 1);
    if (!offerings.ok()) return offerings.status();
    resp->set_next_page_token(api::NextIdPageToken(
        *page, *offerings, [](const OfferingRecord& o) { return o.offering_id; }));
    for (OfferingRecord& o : *offerings) *resp->add_offerings() = std::move(o.offering);
    return absl::OkStatus();
  });
}

absl::Status OrientationServiceImpl::DoUpdateOffering(const grpc::CallContext& call,
                                                      const v1::UpdateOfferingRequest& req,
                                                      v1::Offering* resp) {
  absl::StatusOr<int64_t> id = ParseOfferingName(req.offering().name(), "offering.name");
  if (!id.ok()) return id.status();
  absl::StatusOr<std::set<std::string>> paths = api::MaskPaths(
      req.update_mask(), {"display_name", "language", "communicator", "period", "capacity"});
  if (!paths.ok()) return paths.status();
  const auth::Scope scope = auth::Scope::Of(call.caller());
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) { return LockForKeeper(tx, scope, *id); },
      [&](pqxx::work& tx, const LockedOffering& locked) -> absl::Status {
        if (absl::Status st = api::CheckEtag(req.offering().etag(), api::EtagOf(locked.revision),
                                             req.offering().name());
            !st.ok()) {
          return st;
        }
        OfferingRepository repo(tx);
        absl::StatusOr<OfferingRecord> current = LoadOffering(repo, *id);
        if (!current.ok()) return current.status();
        v1::Offering merged = std::move(current->offering);
        const v1::Offering& given = req.offering();
        if (paths->count("display_name")) merged.set_display_name(given.display_name());
        if (paths->count("language")) merged.set_language(given.language());
        if (paths->count("communicator")) merged.set_communicator(given.communicator());
        if (paths->count("period")) *merged.mutable_period() = given.period();
        if (paths->count("capacity")) merged.set_capacity(given.capacity());
        absl::StatusOr<CheckedOffering> checked = CheckOffering(merged, "offering");
        if (!checked.ok()) return checked.status();
        if (merged.capacity() < locked.enrolled) {
          return status::FailedPrecondition(
              kReasonCapacityBelowEnrolled,
              absl::StrCat(locked.enrolled,
                           " participants are enrolled; the capacity cannot be "
                           "lower"),
              {{"enrolled", absl::StrCat(locked.enrolled)}});
        }
        if (locked.first_session &&
            (*locked.first_session < checked->start || *locked.last_session > checked->end)) {
          return status::FailedPrecondition(
              kReasonSessionsOutsidePeriod,
              absl::StrCat("the sessions run from ", dates::DayText(*locked.first_session), " to ",
                           dates::DayText(*locked.last_session), "; the period must cover them"));
        }
        repo.Update(*id, merged, *checked, deps_.clock());
        absl::StatusOr<OfferingRecord> updated = LoadOffering(repo, *id);
        if (!updated.ok()) return updated.status();
        *resp = std::move(updated->offering);
        change.Audit(resp->name(), "update", absl::StrJoin(*paths, ","));
        return absl::OkStatus();
      });
}

absl::Status OrientationServiceImpl::DoCreateSession(const grpc::CallContext& call,
                                                     const v1::CreateSessionRequest& req,
                                                     v1::Session* resp) {
  absl::StatusOr<int64_t> offering_id = ParseOfferingName(req.parent(), "parent");
  if (!offering_id.ok()) return offering_id.status();
  if (absl::Status st = CheckSessionThemes(req.session(), "session.themes"); !st.ok()) return st;
  const std::optional<absl::CivilDay> date =
      req.session().has_date() ? dates::DayOf(req.session().date()) : std::nullopt;
  if (!date) return status::InvalidField("session.date", "a real calendar date is required");
  const auth::Scope scope = auth::Scope::Of(call.caller());
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) { return LockForKeeper(tx, scope, *offering_id); },
      [&](pqxx::work& tx, const LockedOffering& locked) -> absl::Status {
        if (*date < locked.start || *date > locked.end) {
          return status::Error(absl::StatusCode::kFailedPrecondition, kReasonSessionOutsidePeriod,
                               absl::StrCat("the offering runs from ", dates::DayText(locked.start),
                                            " to ", dates::DayText(locked.end)),
                               {}, {{"session.date", "inside the offering's period"}});
        }
        OfferingRepository repo(tx);
        const int64_t id = repo.InsertSession(*offering_id, *date, req.session(), deps_.clock());
        absl::StatusOr<SessionRecord> created = LoadSession(repo, {*offering_id, id});
        if (!created.ok()) return created.status();
        *resp = std::move(created->session);
        change.Audit(resp->name(), "create", absl::StrCat(resp->minutes(), " minutes"));
        return absl::OkStatus();
      });
}

absl::Status OrientationServiceImpl::DoListSessions(const grpc::CallContext& call,
                                                    const v1::ListSessionsRequest& req,
                                                    v1::ListSessionsResponse* resp) {
  absl::StatusOr<int64_t> offering_id = ParseOfferingName(req.parent(), "parent");
  if (!offering_id.ok()) return offering_id.status();
  absl::StatusOr<int> size = api::PageSize(req.page_size());
  if (!size.ok()) return size.status();
  absl::StatusOr<api::IdPage> page =
      api::ReadIdPage(absl::StrCat("ListSessions|", *offering_id), *size, req.page_token());
  if (!page.ok()) return page.status();
  const auth::Scope scope = auth::Scope::Of(call.caller());
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    OfferingRepository repo(tx);
    absl::StatusOr<OfferingRecord> offering = LoadOffering(repo, *offering_id);
    if (!offering.ok()) return offering.status();
    if (absl::Status st =
            access::CheckOfferingReader(scope, offering->lanskod, offering->kommunkoder);
        !st.ok()) {
      return st;
    }
    absl::StatusOr<std::vector<SessionRecord>> sessions =
        repo.ListSessions(*offering_id, page->after, page->size + 1);
    if (!sessions.ok()) return sessions.status();
    resp->set_next_page_token(api::NextIdPageToken(
        *page, *sessions, [](const SessionRecord& s) { return s.session_id; }));
    for (SessionRecord& s : *sessions) *resp->add_sessions() = std::move(s.session);
    return absl::OkStatus();
  });
}

absl::Status OrientationServiceImpl::DoCancelSession(const grpc::CallContext& call,
                                                     const v1::CancelSessionRequest& req,
                                                     v1::Session* resp) {
  absl::StatusOr<SessionId> id = ParseSessionName(req.name(), "name");
  if (!id.ok()) return id.status();
  if (req.reason().size() < kMinReasonBytes || req.reason().size() > kMaxReasonBytes) {
    return status::InvalidField(
        "reason", absl::StrCat("say why, ", kMinReasonBytes, "-", kMaxReasonBytes, " bytes"));
  }
  const auth::Scope scope = auth::Scope::Of(call.caller());
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) -> absl::StatusOr<LockedSession> {
        // The offering first: the lock order of every change of an offering and its sessions.
        absl::StatusOr<LockedOffering> offering = LockForKeeper(tx, scope, id->offering_id);
        if (!offering.ok()) return offering.status();
        absl::StatusOr<std::optional<LockedSession>> session =
            OfferingRepository(tx).LockSession(id->session_id);
        if (!session.ok()) return session.status();
        if (!*session || (*session)->offering_id != id->offering_id) return SessionNotFound(*id);
        return **session;
      },
      [&](pqxx::work& tx, const LockedSession& session) -> absl::Status {
        if (absl::Status st = api::CheckEtag(req.etag(), api::EtagOf(session.revision), req.name());
            !st.ok()) {
          return st;
        }
        if (session.state != v1::Session::STATE_SCHEDULED) {
          return status::FailedPrecondition(kReasonSessionCancelled,
                                            absl::StrCat(req.name(), " is cancelled already"));
        }
        if (session.attendance > 0) {
          return status::FailedPrecondition(
              kReasonSessionHasAttendance,
              absl::StrCat(req.name(), " has attendance recorded; it took place"),
              {{"attendance", absl::StrCat(session.attendance)}});
        }
        OfferingRepository repo(tx);
        repo.CancelSession(id->session_id, req.reason());
        absl::StatusOr<SessionRecord> cancelled = LoadSession(repo, *id);
        if (!cancelled.ok()) return cancelled.status();
        *resp = std::move(cancelled->session);
        change.Audit(resp->name(), "cancel");
        return absl::OkStatus();
      });
}

}  // namespace integration::orientation
