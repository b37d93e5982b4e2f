// GrantsService report RPCs: an approved application's follow-up reports (återrapportering),
// read by the applicant and the county's officers, submitted by the applicant, accepted or
// returned by an officer, and the county's overdue reports. The report rows themselves are
// created by DecideApplication from the programme's requirements.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "access.h"
#include "application_repository.h"
#include "call_repository.h"
#include "grants_service.h"
#include "integration/api/change.h"
#include "integration/api/handler.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/grants/v1/events.pb.h"
#include "report_repository.h"
#include "rules/report_rules.h"
#include "rules/state_rules.h"
#include "rules/values_rules.h"

namespace integration::grants {
namespace {

absl::Status ReportNotFound(std::string_view name) {
  return status::NotFound("REPORT_NOT_FOUND", absl::StrCat(std::string(name), " does not exist"),
                          {{"report", std::string(name)}});
}

// The page key of report lists: "YYYY-MM-DD" due date and report id.
api::PageKey ReportPageKey(const ReportRow& row) {
  return {DayText(row.due_date), absl::StrCat(row.report_id)};
}

absl::StatusOr<std::optional<ReportKey>> DecodeReportKey(std::string_view token,
                                                         std::string_view query) {
  absl::StatusOr<std::optional<api::PageKey>> key = api::DecodePageToken(token, query, 2);
  if (!key.ok()) return key.status();
  if (!*key) return std::optional<ReportKey>();
  const std::optional<type::Date> due = ParseDateText((**key)[0]);
  int64_t id = 0;
  if (!due || !IsValidDate(*due) || !absl::SimpleAtoi((**key)[1], &id) || id < 0) {
    return api::InvalidPageToken();
  }
  return std::optional<ReportKey>(ReportKey{ToCivilDay(*due), id});
}

// Loads the application a report hangs below, for a change by a caller acting so: row-locked
// once the caller is known to be allowed, so that transitions of the application and
// everything below it are serialised. A missing application, or one the caller may not read,
// means a missing report.
absl::StatusOr<ApplicationRecord> LockApplicationOf(pqxx::work& tx, const grpc::CallContext& call,
                                                    const ChildKey& key,
                                                    std::string_view report_name,
                                                    access::Acting acting) {
  return ApplicationRepository(tx).Load(auth::Scope::Of(call.caller()),
                                        ApplicationKey{key.call_id, key.application_id}, acting,
                                        /*for_update=*/true, ReportNotFound(report_name));
}

// Loads and locks the report of a transition and checks the client's etag.
absl::StatusOr<ReportRow> LockReport(ReportRepository& reports, const ChildKey& key,
                                     std::string_view name, std::string_view etag) {
  absl::StatusOr<std::optional<ReportRow>> row =
      reports.Get(key.call_id, key.application_id, key.id, /*lock=*/true);
  if (!row.ok()) return row.status();
  if (!*row) return ReportNotFound(name);
  if (absl::Status st = api::CheckEtag(etag, api::EtagOf((*row)->revision), name); !st.ok()) {
    return st;
  }
  return **std::move(row);
}

// Re-reads the report after a change: the response equals a later GetReport.
absl::Status ReadBack(ReportRepository& reports, const ChildKey& key, std::string_view name,
                      absl::CivilDay today, v1::Report* out) {
  absl::StatusOr<std::optional<ReportRow>> row =
      reports.Get(key.call_id, key.application_id, key.id, /*lock=*/false);
  if (!row.ok()) return row.status();
  if (!*row) return ReportNotFound(name);
  *out = (*row)->ToProto(today);
  return absl::OkStatus();
}

}  // namespace

absl::Status GrantsServiceImpl::DoListReports(const grpc::CallContext& call,
                                              const v1::ListReportsRequest& req,
                                              v1::ListReportsResponse* resp) {
  absl::StatusOr<ApplicationKey> parent = ParseApplicationName(req.parent(), "parent");
  if (!parent.ok()) return parent.status();
  absl::StatusOr<int> page_size = api::PageSize(req.page_size());
  if (!page_size.ok()) return page_size.status();
  const std::string query = absl::StrCat("ListReports|", req.parent());
  absl::StatusOr<std::optional<ReportKey>> after = DecodeReportKey(req.page_token(), query);
  if (!after.ok()) return after.status();

  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<ApplicationRecord> app = ApplicationRepository(tx).Load(
        auth::Scope::Of(call.caller()), *parent, access::Acting::kReader, /*for_update=*/false);
    if (!app.ok()) return app.status();
    absl::StatusOr<std::vector<ReportRow>> rows =
        ReportRepository(tx).List(parent->application_id, *after, *page_size + 1);
    if (!rows.ok()) return rows.status();
    const bool more = static_cast<int>(rows->size()) > *page_size;
    if (more) rows->pop_back();
    const absl::CivilDay today = StockholmDay(deps_.clock());
    for (const ReportRow& row : *rows) *resp->add_reports() = row.ToProto(today);
    if (more) resp->set_next_page_token(api::EncodePageToken(query, ReportPageKey(rows->back())));
    return absl::OkStatus();
  });
}

absl::Status GrantsServiceImpl::DoGetReport(const grpc::CallContext& call,
                                            const v1::GetReportRequest& req, v1::Report* resp) {
  absl::StatusOr<ChildKey> key = ParseChildName(req.name(), "reports", "name");
  if (!key.ok()) return key.status();
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<ApplicationRecord> app = ApplicationRepository(tx).Load(
        auth::Scope::Of(call.caller()), ApplicationKey{key->call_id, key->application_id},
        access::Acting::kReader, /*for_update=*/false, ReportNotFound(req.name()));
    if (!app.ok()) return app.status();
    ReportRepository reports(tx);
    return ReadBack(reports, *key, req.name(), StockholmDay(deps_.clock()), resp);
  });
}

absl::StatusOr<v1::Participants> GrantsServiceImpl::ReportParticipants(
    const grpc::CallContext& call, const v1::SubmitReportRequest& req, const ChildKey& key) {
  const v1::Participants& typed = req.report().participants();
  if (deps_.figures == nullptr) return typed;
  // The applicant's organisation and programme; only a caller who may submit learns them (and
  // makes grants ask early_measures).
  absl::StatusOr<ApplicationRecord> app = deps_.pool.TransactFor<ApplicationRecord>(
      call.deadline(), [&](pqxx::work& tx) -> absl::StatusOr<ApplicationRecord> {
        absl::StatusOr<std::optional<ApplicationRecord>> found =
            ApplicationRepository(tx).Find(key.call_id, key.application_id, false);
        if (!found.ok()) return found.status();
        if (!*found) return ReportNotFound(req.report().name());
        if (absl::Status st = access::CheckApplication(auth::Scope::Of(call.caller()),
                                                       access::OwnersOf(**found),
                                                       access::Acting::kApplicant);
            !st.ok()) {
          return st;
        }
        return **std::move(found);
      });
  if (!app.ok()) return app.status();
  if (app->applicant_orgnr.empty() || !deps_.figures_programmes.count(app->programme_id)) {
    return typed;
  }
  // Asked before the transaction: nothing is locked while early_measures answers.
  absl::StatusOr<v1::Participants> recorded =
      deps_.figures->Participants(call, app->applicant_orgnr, app->Name());
  if (!recorded.ok()) return recorded.status();
  const bool typed_any = typed.women() != 0 || typed.men() != 0 || typed.other() != 0;
  if (typed_any && (typed.women() != recorded->women() || typed.men() != recorded->men() ||
                    typed.other() != recorded->other())) {
    return status::Error(
        absl::StatusCode::kInvalidArgument, kReasonParticipantsFromEarlyMeasures,
        absl::StrCat("the participants of this report come from the attendance recorded in "
                     "early_measures (", recorded->women(), " women, ", recorded->men(),
                     " men, ", recorded->other(), " other); leave them out or correct the "
                     "attendance there"),
        {{"women", absl::StrCat(recorded->women())},
         {"men", absl::StrCat(recorded->men())},
         {"other", absl::StrCat(recorded->other())}},
        {{"report.participants", "filled from early_measures; leave empty"}});
  }
  return *std::move(recorded);
}

absl::Status GrantsServiceImpl::DoSubmitReport(const grpc::CallContext& call,
                                               const v1::SubmitReportRequest& req,
                                               v1::Report* resp) {
  const std::string& name = req.report().name();
  absl::StatusOr<ChildKey> key = ParseChildName(name, "reports", "report.name");
  if (!key.ok()) return key.status();
  absl::StatusOr<v1::Participants> participants = ReportParticipants(call, req, *key);
  if (!participants.ok()) return participants.status();

  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) {
        return LockApplicationOf(tx, call, *key, name, access::Acting::kApplicant);
      },
      [&](pqxx::work& tx, const ApplicationRecord& app) -> absl::Status {
        ReportRepository reports(tx);
        absl::StatusOr<ReportRow> report = LockReport(reports, *key, name, req.report().etag());
        if (!report.ok()) return report.status();
        if (!IsReportOpen(report->state)) {
          return WrongState(kReasonReportNotOpen, name, std::string(ReportStateText(report->state)),
                            absl::StrCat(name, " is ", std::string(ReportStateText(report->state)),
                                         ": only DUE or RETURNED reports can be submitted"));
        }
        if (absl::Status st = CheckReportSubmission(report->type, req.report()); !st.ok())
          return st;

        const absl::Time now = deps_.clock();
        const v1::Report& in = req.report();
        reports.Submit(report->report_id, ReportSubmission{.used_ore = in.used_amount().ore(),
                                                           .activities = in.activities(),
                                                           .women = participants->women(),
                                                           .men = participants->men(),
                                                           .other = participants->other(),
                                                           .outcomes = in.outcomes(),
                                                           .submit_time = now});
        const absl::CivilDay today = StockholmDay(now);
        if (absl::Status st = ReadBack(reports, *key, name, today, resp); !st.ok()) return st;

        v1::ReportSubmittedEvent event;
        event.set_report(name);
        event.set_type(report->type);
        *event.mutable_participants() = resp->participants();
        *event.mutable_submit_time() = resp->submit_time();
        change.Audit(name, "submit",
                     absl::StrCat("type=", std::string(ReportTypeText(report->type)),
                                  " used_ore=", in.used_amount().ore(),
                                  " participants=", participants->women(), "/",
                                  participants->men(), "/", participants->other()));
        return change.Emit(name, event, access::EventOwner(app));
      });
}

absl::Status GrantsServiceImpl::DoAcceptReport(const grpc::CallContext& call,
                                               const v1::AcceptReportRequest& req,
                                               v1::Report* resp) {
  absl::StatusOr<ChildKey> key = ParseChildName(req.name(), "reports", "name");
  if (!key.ok()) return key.status();

  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) {
        return LockApplicationOf(tx, call, *key, req.name(), access::Acting::kCountyOfficer);
      },
      [&](pqxx::work& tx, const ApplicationRecord&) -> absl::Status {
        ReportRepository reports(tx);
        absl::StatusOr<ReportRow> report = LockReport(reports, *key, req.name(), req.etag());
        if (!report.ok()) return report.status();
        if (report->state != v1::REPORT_STATE_SUBMITTED) {
          return WrongState(
              kReasonReportNotSubmitted, req.name(), std::string(ReportStateText(report->state)),
              absl::StrCat(req.name(), " is ", std::string(ReportStateText(report->state)),
                           ": only SUBMITTED reports can be accepted"));
        }
        absl::StatusOr<int64_t> accepted = AcceptedReportAmount(req, report->used_ore);
        if (!accepted.ok()) return accepted.status();

        const absl::Time now = deps_.clock();
        reports.Accept(report->report_id, *accepted, req.comment(), now);
        if (absl::Status st = ReadBack(reports, *key, req.name(), StockholmDay(now), resp);
            !st.ok()) {
          return st;
        }
        change.Audit(req.name(), "accept",
                     absl::StrCat("accepted_ore=", *accepted, " used_ore=", report->used_ore));
        return absl::OkStatus();
      });
}

absl::Status GrantsServiceImpl::DoReturnReport(const grpc::CallContext& call,
                                               const v1::ReturnReportRequest& req,
                                               v1::Report* resp) {
  absl::StatusOr<ChildKey> key = ParseChildName(req.name(), "reports", "name");
  if (!key.ok()) return key.status();
  if (absl::Status st = CheckReportReturn(req); !st.ok()) return st;

  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) {
        return LockApplicationOf(tx, call, *key, req.name(), access::Acting::kCountyOfficer);
      },
      [&](pqxx::work& tx, const ApplicationRecord&) -> absl::Status {
        ReportRepository reports(tx);
        absl::StatusOr<ReportRow> report = LockReport(reports, *key, req.name(), req.etag());
        if (!report.ok()) return report.status();
        if (report->state != v1::REPORT_STATE_SUBMITTED) {
          return WrongState(
              kReasonReportNotSubmitted, req.name(), std::string(ReportStateText(report->state)),
              absl::StrCat(req.name(), " is ", std::string(ReportStateText(report->state)),
                           ": only SUBMITTED reports can be returned"));
        }
        const absl::Time now = deps_.clock();
        reports.Return(report->report_id, req.comment(), now);
        if (absl::Status st = ReadBack(reports, *key, req.name(), StockholmDay(now), resp);
            !st.ok()) {
          return st;
        }
        change.Audit(req.name(), "return",
                     absl::StrCat("type=", std::string(ReportTypeText(report->type))));
        return absl::OkStatus();
      });
}

absl::Status GrantsServiceImpl::DoListOverdueReports(const grpc::CallContext& call,
                                                     const v1::ListOverdueReportsRequest& req,
                                                     v1::ListOverdueReportsResponse* resp) {
  // The officer's own county: without a lan claim there is none (LAN_CLAIM_MISSING).
  const auth::Scope scope = auth::Scope::Of(call.caller());
  absl::StatusOr<std::string> county = access::OfficerCounty(scope);
  if (!county.ok()) return county.status();
  const std::string& lan = *county;
  int64_t call_id = 0;
  if (!req.call().empty()) {
    absl::StatusOr<int64_t> id = ParseCallName(req.call(), "call");
    if (!id.ok()) return id.status();
    call_id = *id;
  }
  absl::StatusOr<int> page_size = api::PageSize(req.page_size());
  if (!page_size.ok()) return page_size.status();
  // Not the day: a token stays valid across midnight, the next page then starts after the
  // last report served.
  const std::string query = absl::StrCat("ListOverdueReports|", lan, "|", req.call());
  absl::StatusOr<std::optional<ReportKey>> after = DecodeReportKey(req.page_token(), query);
  if (!after.ok()) return after.status();

  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    const absl::Time now = deps_.clock();
    if (call_id != 0) {
      absl::StatusOr<std::optional<CallRecord>> rec = CallRepository(tx).Find(call_id, false, now);
      if (!rec.ok()) return rec.status();
      // Another county's draft is answered as a missing call.
      if (!*rec || !access::CanSeeCall(scope, **rec)) return CallNotFound(call_id);
      if (absl::Status st = access::CheckCountyOfficer(scope, (*rec)->lanskod); !st.ok()) {
        return st;
      }
    }
    const absl::CivilDay today = StockholmDay(now);
    absl::StatusOr<std::vector<ReportRow>> rows =
        ReportRepository(tx).ListOverdue(lan, today, call_id, *after, *page_size + 1);
    if (!rows.ok()) return rows.status();
    const bool more = static_cast<int>(rows->size()) > *page_size;
    if (more) rows->pop_back();
    for (const ReportRow& row : *rows) *resp->add_reports() = row.ToProto(today);
    if (more) resp->set_next_page_token(api::EncodePageToken(query, ReportPageKey(rows->back())));
    return absl::OkStatus();
  });
}

}  // namespace integration::grants
