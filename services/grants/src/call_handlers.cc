// GrantsService call RPCs: public reads of published calls (drafts only for the county's own
// officers and administrators), and creation, change and the DRAFT → OPEN → CLOSED → ARCHIVED
// transitions by county_admin of the call's county. Every change is audited and announced as
// a CallChangedEvent, which the gateway's cache of calls listens to.
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "access.h"
#include "call_repository.h"
#include "grants_service.h"
#include "integration/api/change.h"
#include "integration/api/handler.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/se/kommun.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/grants/v1/events.pb.h"
#include "programme_repository.h"
#include "rules/call_rules.h"
#include "rules/values_rules.h"

namespace integration::grants {
namespace {

// An administrator acts only on the calls of the token's county. Drafts of another county are
// reported missing (they are not visible to that caller at all); published ones forbidden.
absl::Status CheckCallAdmin(const auth::Scope& scope, const CallRecord& rec) {
  if (!access::CanSeeCall(scope, rec)) return CallNotFound(rec.call_id);
  return access::CheckCallAdmin(scope, rec.lanskod);
}

// Announces the call with its state after the change: to its county's board while it is a
// draft (access::CanSeeCall), to everyone once published.
absl::Status EmitCallChanged(api::Change& change, const v1::Call& changed, absl::Time now) {
  v1::CallChangedEvent event;
  event.set_call(changed.name());
  event.set_state(changed.state());
  api::SetTimestamp(now, event.mutable_change_time());
  if (changed.state() == v1::CALL_STATE_DRAFT) {
    return change.Emit(changed.name(), event, auth::Owner::County(changed.lanskod()));
  }
  return change.EmitPublic(changed.name(), event, changed.lanskod());
}

// The call an administrator changes, row-locked, if the caller administers it.
absl::StatusOr<CallRecord> LockCallToAdminister(pqxx::work& tx, const auth::Scope& scope,
                                                int64_t call_id, absl::Time now) {
  // Checked on an unlocked read first: a caller who may not administer the call never holds
  // its lock (the county and the draft state that decide it are read again under the lock).
  CallRepository calls(tx);
  absl::StatusOr<std::optional<CallRecord>> seen = calls.Find(call_id, false, now);
  if (!seen.ok()) return seen.status();
  if (!*seen) return CallNotFound(call_id);
  if (absl::Status e = CheckCallAdmin(scope, **seen); !e.ok()) return e;
  absl::StatusOr<std::optional<CallRecord>> rec = calls.Find(call_id, true, now);
  if (!rec.ok()) return rec.status();
  if (!*rec) return CallNotFound(call_id);
  if (absl::Status e = CheckCallAdmin(scope, **rec); !e.ok()) return e;
  return std::move(**rec);
}

// The call as stored now, for the response.
absl::Status Reload(pqxx::work& tx, int64_t call_id, absl::Time now, v1::Call* out) {
  absl::StatusOr<std::optional<CallRecord>> rec = CallRepository(tx).Find(call_id, false, now);
  if (!rec.ok()) return rec.status();
  if (!*rec) return status::Internal("changed call not found");
  *out = std::move((*rec)->call);
  return absl::OkStatus();
}

// OpenCall, CloseCall and ArchiveCall: lock, check who and the state, store the next state,
// audit, announce; idempotent by request_id.
template <typename Request>
absl::Status TransitionCall(GrantsDeps& deps, const grpc::CallContext& call, const Request& req,
                            CallAction action, std::string_view verb, v1::Call* resp) {
  absl::StatusOr<int64_t> call_id = ParseCallName(req.name(), "name");
  if (!call_id.ok()) return call_id.status();
  const absl::Time now = deps.clock();
  api::Change change(deps.pool, call, req, resp, deps.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) {
        return LockCallToAdminister(tx, auth::Scope::Of(call.caller()), *call_id, now);
      },
      [&](pqxx::work& tx, const CallRecord& current) -> absl::Status {
        if (absl::Status e = api::CheckEtag(req.etag(), current.call.etag(), req.name()); !e.ok()) {
          return e;
        }
        absl::StatusOr<v1::CallState> next =
            NextCallState(action, current.call.state(), current.close_time, now, req.name());
        if (!next.ok()) return next.status();
        CallRepository(tx).SetState(*call_id, StoredCallState(*next), now);
        if (absl::Status e = Reload(tx, *call_id, now, resp); !e.ok()) return e;
        change.Audit(resp->name(), verb,
                     absl::StrCat(current.stored_state, "->", std::string(StoredCallState(*next))));
        return EmitCallChanged(change, *resp, now);
      });
}

}  // namespace

absl::Status GrantsServiceImpl::DoListCalls(const grpc::CallContext& call,
                                            const v1::ListCallsRequest& req,
                                            v1::ListCallsResponse* resp) {
  absl::StatusOr<int> page_size = api::PageSize(req.page_size());
  if (!page_size.ok()) return page_size.status();
  CallFilter filter;
  if (!req.programme().empty()) {
    absl::StatusOr<std::string> id = ParseProgrammeName(req.programme(), "programme");
    if (!id.ok()) return id.status();
    filter.programme_id = *id;
  }
  if (!req.lanskod().empty()) {
    if (absl::Status st = se::ValidateLanskod(req.lanskod(), "lanskod"); !st.ok()) return st;
    filter.lanskod = req.lanskod();
  }
  if (req.state() != v1::CALL_STATE_UNSPECIFIED) {
    filter.effective_state = std::string(StoredCallState(req.state()));
    if (filter.effective_state.empty()) {
      return status::InvalidField("state", "must be DRAFT, OPEN, CLOSED or ARCHIVED");
    }
  }
  filter.viewer_lan = access::DraftsCounty(auth::Scope::Of(call.caller()));
  // The token is bound to the filters and to whose drafts the caller sees.
  const std::string query = absl::StrCat("ListCalls|", filter.programme_id, "|", filter.lanskod,
                                         "|", filter.effective_state, "|", filter.viewer_lan);
  absl::StatusOr<std::optional<api::PageKey>> key =
      api::DecodePageToken(req.page_token(), query, 2);
  if (!key.ok()) return key.status();
  std::optional<CallPosition> after;
  if (*key) {
    CallPosition position;
    if (!absl::SimpleAtoi((**key)[0], &position.open_micros) ||
        !absl::SimpleAtoi((**key)[1], &position.call_id) || position.call_id <= 0) {
      return api::InvalidPageToken();
    }
    after = position;
  }
  const absl::Time now = deps_.clock();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<std::vector<CallRecord>> rows =
        CallRepository(tx).List(filter, after, *page_size + 1, now);
    if (!rows.ok()) return rows.status();
    const bool more = static_cast<int>(rows->size()) > *page_size;
    if (more) rows->pop_back();
    for (CallRecord& rec : *rows) *resp->add_calls() = std::move(rec.call);
    if (more) {
      const CallRecord& last = rows->back();
      resp->set_next_page_token(api::EncodePageToken(
          query, {absl::StrCat(api::ToMicros(last.open_time)), absl::StrCat(last.call_id)}));
    }
    return absl::OkStatus();
  });
}

absl::Status GrantsServiceImpl::DoGetCall(const grpc::CallContext& call,
                                          const v1::GetCallRequest& req, v1::Call* resp) {
  absl::StatusOr<int64_t> call_id = ParseCallName(req.name(), "name");
  if (!call_id.ok()) return call_id.status();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    absl::StatusOr<std::optional<CallRecord>> rec =
        CallRepository(tx).Find(*call_id, false, deps_.clock());
    if (!rec.ok()) return rec.status();
    // A draft is missing for those who may not see it, so that its existence does not leak.
    if (!*rec || !access::CanSeeCall(auth::Scope::Of(call.caller()), **rec))
      return CallNotFound(*call_id);
    *resp = std::move((*rec)->call);
    return absl::OkStatus();
  });
}

absl::Status GrantsServiceImpl::DoCreateCall(const grpc::CallContext& call,
                                             const v1::CreateCallRequest& req, v1::Call* resp) {
  // A call belongs to the administrator's county.
  absl::StatusOr<std::string> county = auth::CountyOf(auth::Scope::Of(call.caller()));
  if (!county.ok()) return county.status();
  const std::string& lanskod = *county;
  absl::StatusOr<std::string> programme_id =
      ParseProgrammeName(req.call().programme(), "call.programme");
  if (!programme_id.ok()) return programme_id.status();
  if (absl::Status st = ValidateCall(req.call(), "call"); !st.ok()) return st;
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run([&](pqxx::work& tx) -> absl::Status {
    absl::StatusOr<std::optional<v1::Programme>> programme =
        ProgrammeRepository(tx).Find(*programme_id);
    if (!programme.ok()) return programme.status();
    if (!*programme) return ProgrammeNotFound(*programme_id);
    if (absl::Status e = access::CheckProgrammeUse((*programme)->name(), (*programme)->lanskod(),
                                                   lanskod);
        !e.ok()) {
      return e;
    }
    const absl::Time now = deps_.clock();
    const int64_t call_id = CallRepository(tx).Insert(*programme_id, lanskod, req.call(), now);
    if (absl::Status e = Reload(tx, call_id, now, resp); !e.ok()) return e;
    change.Audit(resp->name(), "create");
    return EmitCallChanged(change, *resp, now);
  });
}

absl::Status GrantsServiceImpl::DoUpdateCall(const grpc::CallContext& call,
                                             const v1::UpdateCallRequest& req, v1::Call* resp) {
  absl::StatusOr<int64_t> call_id = ParseCallName(req.call().name(), "call.name");
  if (!call_id.ok()) return call_id.status();
  absl::StatusOr<std::set<std::string>> paths = api::MaskPaths(
      req.update_mask(), {"title", "description", "open_time", "close_time", "budget",
                          "max_amount_per_application", "funding_period", "criteria"});
  if (!paths.ok()) return paths.status();
  const absl::Time now = deps_.clock();
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) {
        return LockCallToAdminister(tx, auth::Scope::Of(call.caller()), *call_id, now);
      },
      [&](pqxx::work& tx, const CallRecord& current) -> absl::Status {
        if (absl::Status e =
                api::CheckEtag(req.call().etag(), current.call.etag(), req.call().name());
            !e.ok()) {
          return e;
        }
        absl::StatusOr<v1::CallState> next = NextCallState(
            CallAction::kUpdate, current.call.state(), current.close_time, now, req.call().name());
        if (!next.ok()) return next.status();
        v1::Call merged = current.call;
        const v1::Call& given = req.call();
        if (paths->count("title")) merged.set_title(given.title());
        if (paths->count("description")) merged.set_description(given.description());
        if (paths->count("open_time")) *merged.mutable_open_time() = given.open_time();
        if (paths->count("close_time")) *merged.mutable_close_time() = given.close_time();
        if (paths->count("budget")) *merged.mutable_budget() = given.budget();
        if (paths->count("max_amount_per_application")) {
          *merged.mutable_max_amount_per_application() = given.max_amount_per_application();
        }
        if (paths->count("funding_period"))
          *merged.mutable_funding_period() = given.funding_period();
        if (paths->count("criteria")) *merged.mutable_criteria() = given.criteria();
        if (absl::Status e = ValidateCall(merged, "call"); !e.ok()) return e;
        CallRepository(tx).Update(*call_id, merged, now);
        if (absl::Status e = Reload(tx, *call_id, now, resp); !e.ok()) return e;
        change.Audit(resp->name(), "update", absl::StrJoin(*paths, ","));
        return EmitCallChanged(change, *resp, now);
      });
}

absl::Status GrantsServiceImpl::DoOpenCall(const grpc::CallContext& call,
                                           const v1::OpenCallRequest& req, v1::Call* resp) {
  return TransitionCall(deps_, call, req, CallAction::kOpen, "open", resp);
}

absl::Status GrantsServiceImpl::DoCloseCall(const grpc::CallContext& call,
                                            const v1::CloseCallRequest& req, v1::Call* resp) {
  return TransitionCall(deps_, call, req, CallAction::kClose, "close", resp);
}

absl::Status GrantsServiceImpl::DoArchiveCall(const grpc::CallContext& call,
                                              const v1::ArchiveCallRequest& req, v1::Call* resp) {
  return TransitionCall(deps_, call, req, CallAction::kArchive, "archive", resp);
}

}  // namespace integration::grants
