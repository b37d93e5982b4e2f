// GrantsService application RPCs: an applicant (a kommun's municipality_officer or an
// organisation's organisation_rep) writes a draft in an open call, submits it while the call
// accepts submissions (which assigns the diarienummer) or withdraws it; applicants read their
// own applications, the county's officers and administrators those of their county's calls.
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "access.h"
#include "application_repository.h"
#include "call_repository.h"
#include "grants_service.h"
#include "integration/api/change.h"
#include "integration/api/handler.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/se/diarienummer.h"
#include "integration/se/kommun.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/grants/v1/events.pb.h"
#include "programme_repository.h"
#include "rules/application_rules.h"
#include "rules/call_rules.h"
#include "rules/state_rules.h"
#include "rules/values_rules.h"

namespace integration::grants {
namespace {

constexpr std::string_view kReasonApplicationNotDraft = "APPLICATION_NOT_DRAFT";
constexpr std::string_view kReasonApplicationNotWithdrawable = "APPLICATION_NOT_WITHDRAWABLE";
constexpr size_t kMaxWithdrawReasonBytes = 2000;

CallTerms TermsOf(const CallRecord& call) {
  return CallTerms{.max_per_application_ore = call.max_per_application_ore,
                   .funding = call.funding};
}

std::string StockholmTimeText(absl::Time t) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Europe/Stockholm", &zone)) zone = absl::UTCTimeZone();
  return absl::FormatTime(absl::RFC3339_sec, t, zone);
}

// FAILED_PRECONDITION CALL_NOT_OPEN, with the call's window in metadata.
absl::Status CallNotOpen(const CallRecord& call, std::string_view what) {
  const std::string name = CallName(call.call_id);
  const std::string state(v1::CallState_Name(call.call.state()));
  return status::FailedPrecondition(
      kReasonCallNotOpen,
      absl::StrCat(name, " does not accept ", std::string(what), ": it is ",
                   std::string(absl::StripPrefix(state, "CALL_STATE_")), ", open from ",
                   StockholmTimeText(call.open_time), " until ",
                   StockholmTimeText(call.close_time)),
      {{"call", name},
       {"state", state},
       {"open_time", StockholmTimeText(call.open_time)},
       {"close_time", StockholmTimeText(call.close_time)}});
}

// The call of an application, which the applicant must be able to see.
absl::StatusOr<CallRecord> LoadCall(pqxx::work& tx, const auth::Scope& scope, int64_t call_id,
                                    bool for_update, absl::Time now) {
  absl::StatusOr<std::optional<CallRecord>> rec = CallRepository(tx).Find(call_id, for_update, now);
  if (!rec.ok()) return rec.status();
  if (!*rec || !access::CanSeeCall(scope, **rec)) return CallNotFound(call_id);
  return std::move(**rec);
}

absl::StatusOr<v1::Programme> LoadProgramme(pqxx::work& tx, const std::string& programme_id) {
  absl::StatusOr<std::optional<v1::Programme>> programme =
      ProgrammeRepository(tx).Find(programme_id);
  if (!programme.ok()) return programme.status();
  if (!*programme) return status::Internal("the call's programme is missing");
  return std::move(**programme);
}

absl::Status Reload(pqxx::work& tx, int64_t call_id, int64_t application_id, v1::Application* out) {
  absl::StatusOr<std::optional<ApplicationRecord>> rec =
      ApplicationRepository(tx).Find(call_id, application_id, false);
  if (!rec.ok()) return rec.status();
  if (!*rec) return status::Internal("changed application not found");
  *out = std::move((*rec)->application);
  return absl::OkStatus();
}

// The application as the client last read it: ABORTED ETAG_MISMATCH otherwise.
absl::Status CheckEtagOf(const ApplicationRecord& app, std::string_view etag) {
  return api::CheckEtag(etag, app.application.etag(), app.Name());
}

absl::Status NotDraft(const ApplicationRecord& app, std::string_view what) {
  return WrongState(kReasonApplicationNotDraft, app.Name(), app.stored_state,
                    absl::StrCat(app.Name(), " is ", app.stored_state, "; only a DRAFT can be ",
                                 std::string(what)));
}

// The view a caller has of applications, or PERMISSION_DENIED.
absl::StatusOr<ApplicationScope> ListScopeOf(const auth::Scope& scope) {
  absl::StatusOr<auth::Tenant> tenant = access::ApplicationListScope(scope);
  if (!tenant.ok()) return tenant.status();
  switch (tenant->kind) {
    case auth::Tenant::Kind::kLan:
      return ApplicationScope{ApplicationScopeKind::kLan, tenant->value};
    case auth::Tenant::Kind::kKommun:
      return ApplicationScope{ApplicationScopeKind::kKommun, tenant->value};
    case auth::Tenant::Kind::kOrgnr:
      return ApplicationScope{ApplicationScopeKind::kOrgnr, tenant->value};
    case auth::Tenant::Kind::kSubject:
      break;
  }
  return auth::RoleNotAllowed("this role may not list applications");
}

// Output-only fields a client may have sent along are ignored.
void ClearOutputOnly(v1::Application& app) {
  app.clear_name();
  app.clear_diarienummer();
  app.clear_state();
  app.clear_decision();
  app.clear_paid_amount();
  app.clear_lanskod();
  app.clear_submit_time();
  app.clear_create_time();
  app.clear_update_time();
  app.clear_etag();
}

}  // namespace

absl::Status GrantsServiceImpl::DoCreateApplication(const grpc::CallContext& call,
                                                    const v1::CreateApplicationRequest& req,
                                                    v1::Application* resp) {
  absl::StatusOr<int64_t> call_id = ParseCallName(req.parent(), "parent");
  if (!call_id.ok()) return call_id.status();
  const auth::Scope scope = auth::Scope::Of(call.caller());
  if (absl::Status st = access::CheckNewApplication(scope, req.application().applicant());
      !st.ok()) {
    return st;
  }
  absl::StatusOr<v1::Applicant> applicant =
      CheckApplicant(req.application().applicant(), "application.applicant");
  if (!applicant.ok()) return applicant.status();
  v1::Application app = req.application();
  ClearOutputOnly(app);
  *app.mutable_applicant() = *applicant;
  if (absl::Status st = CheckApplicationContent(app, "application"); !st.ok()) return st;
  const absl::Time now = deps_.clock();
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      // The call must be one the applicant can see (a draft of the county is not).
      [&](pqxx::work& tx) -> absl::StatusOr<CallWithProgramme> {
        absl::StatusOr<std::optional<CallWithProgramme>> found =
            CallRepository(tx).FindWithProgramme(*call_id, now);
        if (!found.ok()) return found.status();
        if (!*found || !access::CanSeeCall(scope, (*found)->call)) return CallNotFound(*call_id);
        return std::move(**found);
      },
      [&](pqxx::work& tx, const CallWithProgramme& target) -> absl::Status {
        const CallRecord& c = target.call;
        if (c.call.state() != v1::CALL_STATE_OPEN) return CallNotOpen(c, "applications");
        if (absl::Status e = CheckEligible(target.programme, app.applicant().type()); !e.ok()) {
          return e;
        }
        if (absl::Status e = CheckAgainstCall(app, TermsOf(c), "application"); !e.ok()) return e;
        absl::StatusOr<ApplicationRecord> created =
            ApplicationRepository(tx).Insert(*call_id, c.lanskod, app, now);
        if (!created.ok()) return created.status();
        *resp = std::move(created->application);
        change.Audit(resp->name(), "create");
        return absl::OkStatus();
      });
}

absl::Status GrantsServiceImpl::DoGetApplication(const grpc::CallContext& call,
                                                 const v1::GetApplicationRequest& req,
                                                 v1::Application* resp) {
  absl::StatusOr<ApplicationKey> key = ParseApplicationName(req.name(), "name");
  if (!key.ok()) return key.status();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    absl::StatusOr<ApplicationRecord> rec = ApplicationRepository(tx).Load(
        auth::Scope::Of(call.caller()), *key, access::Acting::kReader, /*for_update=*/false);
    if (!rec.ok()) return rec.status();
    *resp = std::move(rec->application);
    return absl::OkStatus();
  });
}

absl::Status GrantsServiceImpl::DoListApplications(const grpc::CallContext& call,
                                                   const v1::ListApplicationsRequest& req,
                                                   v1::ListApplicationsResponse* resp) {
  absl::StatusOr<int64_t> call_id = ParseCallParent(req.parent(), "parent");
  if (!call_id.ok()) return call_id.status();
  absl::StatusOr<int> page_size = api::PageSize(req.page_size());
  if (!page_size.ok()) return page_size.status();
  const auth::Scope caller = auth::Scope::Of(call.caller());
  absl::StatusOr<ApplicationScope> scope = ListScopeOf(caller);
  if (!scope.ok()) return scope.status();
  ApplicationFilter filter;
  filter.call_id = *call_id;
  filter.scope = *scope;
  if (req.state() != v1::APPLICATION_STATE_UNSPECIFIED) {
    if (!v1::ApplicationState_IsValid(req.state())) {
      return status::InvalidField("state", "must be a known application state");
    }
    filter.state = std::string(
        absl::StripPrefix(v1::ApplicationState_Name(req.state()), "APPLICATION_STATE_"));
  }
  if (!req.kommunkod().empty()) {
    if (absl::Status st = se::ValidateKommunkod(req.kommunkod(), "kommunkod"); !st.ok()) {
      return st;
    }
    filter.kommunkod = req.kommunkod();
  }
  // The token is bound to the list, its filters and whose view it is.
  const std::string query =
      absl::StrCat("ListApplications|", *call_id, "|", filter.state, "|", filter.kommunkod, "|",
                   static_cast<int>(scope->kind), ":", scope->value);
  absl::StatusOr<std::optional<api::PageKey>> key =
      api::DecodePageToken(req.page_token(), query, 1);
  if (!key.ok()) return key.status();
  int64_t after = 0;
  if (*key && (!absl::SimpleAtoi((**key)[0], &after) || after <= 0)) {
    return api::InvalidPageToken();
  }
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    if (*call_id != 0) {
      absl::StatusOr<CallRecord> c = LoadCall(tx, caller, *call_id, false, deps_.clock());
      if (!c.ok()) return c.status();
    }
    absl::StatusOr<std::vector<ApplicationRecord>> rows =
        ApplicationRepository(tx).List(filter, after, *page_size + 1);
    if (!rows.ok()) return rows.status();
    const bool more = static_cast<int>(rows->size()) > *page_size;
    if (more) rows->pop_back();
    for (ApplicationRecord& rec : *rows) *resp->add_applications() = std::move(rec.application);
    if (more) {
      resp->set_next_page_token(
          api::EncodePageToken(query, {absl::StrCat(rows->back().application_id)}));
    }
    return absl::OkStatus();
  });
}

absl::Status GrantsServiceImpl::DoUpdateApplication(const grpc::CallContext& call,
                                                    const v1::UpdateApplicationRequest& req,
                                                    v1::Application* resp) {
  absl::StatusOr<ApplicationKey> key =
      ParseApplicationName(req.application().name(), "application.name");
  if (!key.ok()) return key.status();
  absl::StatusOr<std::set<std::string>> paths =
      api::MaskPaths(req.update_mask(), {"project_title", "description", "project_period",
                                         "budget_lines", "requested_amount", "partners",
                                         "co_applicant_kommuner", "applicant.display_name"});
  if (!paths.ok()) return paths.status();
  const v1::Application& given = req.application();
  if (paths->count("applicant.display_name") &&
      given.applicant().display_name().find_first_not_of(" \t\r\n") == std::string::npos) {
    return status::InvalidField("application.applicant.display_name", "required",
                                kReasonApplicationInvalid);
  }
  const auth::Scope scope = auth::Scope::Of(call.caller());
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) {
        return ApplicationRepository(tx).Load(scope, *key, access::Acting::kApplicant,
                                              /*for_update=*/true);
      },
      [&](pqxx::work& tx, const ApplicationRecord& current) -> absl::Status {
        if (absl::Status e = CheckEtagOf(current, given.etag()); !e.ok()) return e;
        if (current.stored_state != "DRAFT") return NotDraft(current, "changed");
        v1::Application merged = current.application;
        if (paths->count("project_title")) merged.set_project_title(given.project_title());
        if (paths->count("description")) merged.set_description(given.description());
        if (paths->count("project_period")) {
          if (given.has_project_period()) {
            *merged.mutable_project_period() = given.project_period();
          } else {
            merged.clear_project_period();
          }
        }
        if (paths->count("budget_lines")) *merged.mutable_budget_lines() = given.budget_lines();
        if (paths->count("requested_amount")) {
          *merged.mutable_requested_amount() = given.requested_amount();
        }
        if (paths->count("partners")) *merged.mutable_partners() = given.partners();
        if (paths->count("co_applicant_kommuner")) {
          *merged.mutable_co_applicant_kommuner() = given.co_applicant_kommuner();
        }
        if (paths->count("applicant.display_name")) {
          merged.mutable_applicant()->set_display_name(given.applicant().display_name());
        }
        if (absl::Status e = CheckApplicationContent(merged, "application"); !e.ok()) return e;
        const absl::Time now = deps_.clock();
        absl::StatusOr<std::optional<CallRecord>> c =
            CallRepository(tx).Find(key->call_id, false, now);
        if (!c.ok()) return c.status();
        if (!*c) return status::Internal("the application's call is missing");
        if (absl::Status e = CheckAgainstCall(merged, TermsOf(**c), "application"); !e.ok())
          return e;
        ApplicationRepository(tx).Update(key->call_id, key->application_id, merged, now);
        if (absl::Status e = Reload(tx, key->call_id, key->application_id, resp); !e.ok()) return e;
        change.Audit(resp->name(), "update", absl::StrJoin(*paths, ","));
        return absl::OkStatus();
      });
}

absl::Status GrantsServiceImpl::DoSubmitApplication(const grpc::CallContext& call,
                                                    const v1::SubmitApplicationRequest& req,
                                                    v1::Application* resp) {
  absl::StatusOr<ApplicationKey> key = ParseApplicationName(req.name(), "name");
  if (!key.ok()) return key.status();
  const absl::Time now = deps_.clock();
  struct Target {
    CallRecord call;
    ApplicationRecord app;
  };
  const auth::Scope scope = auth::Scope::Of(call.caller());
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) -> absl::StatusOr<Target> {
        // LockCallAndApplication: the call's lock keeps a concurrent CloseCall from slipping
        // between the check and the submission.
        absl::StatusOr<LockedCallAndApplication> locked =
            LockCallAndApplication(tx, scope, *key, access::Acting::kApplicant, now);
        if (!locked.ok()) return locked.status();
        return Target{std::move(locked->call), std::move(locked->app)};
      },
      [&](pqxx::work& tx, Target& target) -> absl::Status {
        const CallRecord& c = target.call;
        v1::Application& a = target.app.application;
        if (absl::Status e = CheckEtagOf(target.app, req.etag()); !e.ok()) return e;
        if (target.app.stored_state != "DRAFT") return NotDraft(target.app, "submitted");
        if (!c.AcceptsSubmissions(now)) return CallNotOpen(c, "submissions");
        if (absl::Status e = CheckComplete(a, "application"); !e.ok()) return e;
        if (absl::Status e = CheckApplicationContent(a, "application"); !e.ok()) return e;
        if (absl::Status e = CheckAgainstCall(a, TermsOf(c), "application"); !e.ok()) return e;
        absl::StatusOr<v1::Programme> programme = LoadProgramme(tx, c.programme_id);
        if (!programme.ok()) return programme.status();
        // The programme's rules may have changed since the draft was created.
        if (absl::Status e = CheckEligible(*programme, a.applicant().type()); !e.ok()) return e;

        // The number is taken last: the sequence row stays locked until the commit.
        ApplicationRepository repo(tx);
        const int year = static_cast<int>(StockholmDay(now).year());
        const int64_t sequence = repo.NextDiarienummerSequence(deps_.diarium_registry, year);
        absl::StatusOr<std::string> diarienummer =
            se::FormatDiarienummer(deps_.diarium_registry, sequence, year);
        if (!diarienummer.ok()) return status::Internal("diarienummer out of range");
        if (!repo.Submit(key->call_id, key->application_id, *diarienummer, now)) {
          return status::Internal("the locked application changed state");
        }
        if (absl::Status e = Reload(tx, key->call_id, key->application_id, resp); !e.ok()) return e;

        v1::ApplicationSubmittedEvent event;
        event.set_application(resp->name());
        event.set_diarienummer(resp->diarienummer());
        *event.mutable_applicant() = resp->applicant();
        *event.mutable_requested_amount() = resp->requested_amount();
        *event.mutable_submit_time() = resp->submit_time();
        change.Audit(resp->name(), "submit", *diarienummer);
        return change.Emit(resp->name(), event, access::EventOwner(target.app));
      });
}

absl::Status GrantsServiceImpl::DoWithdrawApplication(const grpc::CallContext& call,
                                                      const v1::WithdrawApplicationRequest& req,
                                                      v1::Application* resp) {
  absl::StatusOr<ApplicationKey> key = ParseApplicationName(req.name(), "name");
  if (!key.ok()) return key.status();
  if (req.reason().size() > kMaxWithdrawReasonBytes) {
    return status::InvalidField("reason",
                                absl::StrCat("at most ", kMaxWithdrawReasonBytes, " bytes"));
  }
  const auth::Scope scope = auth::Scope::Of(call.caller());
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) {
        return ApplicationRepository(tx).Load(scope, *key, access::Acting::kApplicant,
                                              /*for_update=*/true);
      },
      [&](pqxx::work& tx, const ApplicationRecord& app) -> absl::Status {
        if (absl::Status e = CheckEtagOf(app, req.etag()); !e.ok()) return e;
        if (app.stored_state != "DRAFT" && app.stored_state != "SUBMITTED") {
          return WrongState(
              kReasonApplicationNotWithdrawable, app.Name(), app.stored_state,
              absl::StrCat(app.Name(), " is ", app.stored_state,
                           "; only a DRAFT or SUBMITTED application can be withdrawn"));
        }
        const absl::Time now = deps_.clock();
        if (!ApplicationRepository(tx).Withdraw(key->call_id, key->application_id, req.reason(),
                                                now)) {
          return status::Internal("the locked application changed state");
        }
        if (absl::Status e = Reload(tx, key->call_id, key->application_id, resp); !e.ok()) return e;
        // The reason is free text: it is kept on the application, not in the audit detail.
        change.Audit(resp->name(), "withdraw", absl::StrCat(app.stored_state, "->WITHDRAWN"));
        return absl::OkStatus();
      });
}

}  // namespace integration::grants
