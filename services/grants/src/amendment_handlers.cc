// GrantsService amendment RPCs: the applicant of an approved grant requests a change of the
// project period and/or budget; a county officer approves it (the application changes, the
// amendment keeps what it replaced, owed reports follow a new period) or rejects it (nothing
// changes). ListAmendments is the history of an application's changes.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "access.h"
#include "amendment_repository.h"
#include "application_repository.h"
#include "call_repository.h"
#include "child_list.h"
#include "grants_service.h"
#include "integration/api/change.h"
#include "integration/api/handler.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/grants/v1/events.pb.h"
#include "programme_repository.h"
#include "report_repository.h"
#include "rules/amendment_rules.h"
#include "rules/decision_rules.h"
#include "rules/report_rules.h"
#include "rules/state_rules.h"
#include "rules/values_rules.h"

namespace integration::grants {
namespace {

absl::Status AmendmentNotFound(std::string_view name) {
  return status::NotFound("AMENDMENT_NOT_FOUND", absl::StrCat(std::string(name), " does not exist"),
                          {{"amendment", std::string(name)}});
}

absl::Status Pending(std::string_view application, std::string_view amendment) {
  return status::FailedPrecondition(
      kReasonAmendmentPending,
      absl::StrCat(std::string(application), " already has a requested amendment",
                   amendment.empty() ? "" : absl::StrCat(", ", std::string(amendment)),
                   ": wait for the board's decision on it"),
      {{"application", std::string(application)}, {"amendment", std::string(amendment)}});
}

absl::Status ReadBack(AmendmentRepository& amendments, const ChildKey& key, std::string_view name,
                      v1::Amendment* out) {
  absl::StatusOr<std::optional<AmendmentRow>> row =
      amendments.Get(key.call_id, key.application_id, key.id, /*lock=*/false);
  if (!row.ok()) return row.status();
  if (!*row) return AmendmentNotFound(name);
  *out = (*row)->ToProto();
  return absl::OkStatus();
}

std::string PeriodText(const Period& p) {
  return absl::StrCat(DayText(p.start), "..", DayText(p.end));
}

// Moves the due dates of the reports the applicant still owes (DUE or RETURNED) to what the
// programme's requirements give for the new project period; submitted and accepted reports
// keep theirs. Each move is audited on the report.
absl::Status RescheduleOpenReports(pqxx::work& tx, api::Change& change,
                                   const ApplicationRecord& app, const Period& period) {
  absl::StatusOr<std::optional<v1::Programme>> programme =
      ProgrammeRepository(tx).Find(app.programme_id);
  if (!programme.ok()) return programme.status();
  if (!*programme) return status::Internal("the programme of an approved application is gone");
  absl::StatusOr<std::vector<DueReport>> due = RequiredReports(**programme, period);
  if (!due.ok()) return due.status();
  ReportRepository reports(tx);
  absl::StatusOr<std::vector<ReportRow>> rows = reports.ListAll(app.application_id);
  if (!rows.ok()) return rows.status();
  for (const ReportRow& row : *rows) {
    if (!IsReportOpen(row.state)) continue;
    for (const DueReport& d : *due) {
      if (d.type != row.type || d.due == row.due_date) continue;
      reports.Reschedule(row.report_id, d.due);
      change.Audit(row.Name(), "reschedule",
                   absl::StrCat("due_date=", DayText(row.due_date), "->", DayText(d.due)));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status GrantsServiceImpl::DoCreateAmendment(const grpc::CallContext& call,
                                                  const v1::CreateAmendmentRequest& req,
                                                  v1::Amendment* resp) {
  absl::StatusOr<ApplicationKey> parent = ParseApplicationName(req.parent(), "parent");
  if (!parent.ok()) return parent.status();
  const std::string application = ApplicationName(parent->call_id, parent->application_id);

  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  const absl::Status st = change.Run(
      [&](pqxx::work& tx) {
        return ApplicationRepository(tx).Load(auth::Scope::Of(call.caller()), *parent,
                                              access::Acting::kApplicant, /*for_update=*/true);
      },
      [&](pqxx::work& tx, const ApplicationRecord& app) -> absl::Status {
        if (!app.Approved()) {
          return WrongState(kReasonAmendmentNotApproved, application, app.stored_state,
                            absl::StrCat(application,
                                         " is not an approved grant: only approved projects can be "
                                         "amended"));
        }
        AmendmentRepository amendments(tx);
        if (std::optional<int64_t> open = amendments.FindRequested(parent->application_id)) {
          return Pending(application,
                         ChildName(parent->call_id, parent->application_id, "amendments", *open));
        }
        const absl::Time now = deps_.clock();
        absl::StatusOr<std::optional<CallRecord>> rec =
            CallRepository(tx).Find(parent->call_id, /*for_update=*/false, now);
        if (!rec.ok()) return rec.status();
        if (!*rec) return CallNotFound(parent->call_id);
        absl::StatusOr<AmendmentChange> requested =
            CheckAmendmentRequest(req.amendment(), (*rec)->funding, app.approved_ore);
        if (!requested.ok()) return requested.status();

        const int64_t id = amendments.Insert(parent->application_id, req.amendment().reason(),
                                             requested->period, requested->budget, now);
        const ChildKey key{parent->call_id, parent->application_id, id};
        const std::string name = ChildName(key.call_id, key.application_id, "amendments", id);
        if (absl::Status st = ReadBack(amendments, key, name, resp); !st.ok()) return st;
        change.Audit(
            name, "create",
            absl::StrCat(requested->period ? absl::StrCat("period=", PeriodText(*requested->period))
                                           : "period=unchanged",
                         requested->budget
                             ? absl::StrCat(" budget_lines=", requested->budget->lines_size())
                             : " budget=unchanged"));
        return absl::OkStatus();
      });
  if (api::IsUniqueViolation(st, "amendments_one_requested")) return Pending(application, "");
  return st;
}

absl::Status GrantsServiceImpl::DoListAmendments(const grpc::CallContext& call,
                                                 const v1::ListAmendmentsRequest& req,
                                                 v1::ListAmendmentsResponse* resp) {
  absl::StatusOr<std::string> next = ListApplicationChildren<AmendmentRow>(
      deps_.pool, call, "ListAmendments", req.parent(), api::PageSize(req.page_size()),
      req.page_token(), access::Acting::kReader,
      [](pqxx::work& tx, const ApplicationRecord& app, const api::IdPage& page) {
        return AmendmentRepository(tx).List(app.application_id, page.after, page.size + 1);
      },
      [](const AmendmentRow& row) { return row.amendment_id; },
      [resp](const AmendmentRow& row) { *resp->add_amendments() = row.ToProto(); });
  if (!next.ok()) return next.status();
  resp->set_next_page_token(*std::move(next));
  return absl::OkStatus();
}

absl::Status GrantsServiceImpl::DoDecideAmendment(const grpc::CallContext& call,
                                                  const v1::DecideAmendmentRequest& req,
                                                  v1::Amendment* resp) {
  absl::StatusOr<ChildKey> key = ParseChildName(req.name(), "amendments", "name");
  if (!key.ok()) return key.status();
  if (absl::Status st = CheckAmendmentDecision(req); !st.ok()) return st;

  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) -> absl::StatusOr<ApplicationRecord> {
        return ApplicationRepository(tx).Load(
            auth::Scope::Of(call.caller()), ApplicationKey{key->call_id, key->application_id},
            access::Acting::kCountyOfficer, /*for_update=*/true, AmendmentNotFound(req.name()));
      },
      [&](pqxx::work& tx, const ApplicationRecord& app) -> absl::Status {
        AmendmentRepository amendments(tx);
        absl::StatusOr<std::optional<AmendmentRow>> row =
            amendments.Get(key->call_id, key->application_id, key->id, /*lock=*/true);
        if (!row.ok()) return row.status();
        if (!*row) return AmendmentNotFound(req.name());
        const AmendmentRow& amendment = **row;
        if (absl::Status st =
                api::CheckEtag(req.etag(), api::EtagOf(amendment.revision), req.name());
            !st.ok()) {
          return st;
        }
        if (amendment.state != v1::AMENDMENT_STATE_REQUESTED) {
          const std::string state(AmendmentStateText(amendment.state));
          return WrongState(kReasonAmendmentNotRequested, req.name(), state,
                            absl::StrCat(req.name(), " is ", state,
                                         ": only REQUESTED amendments can be decided"));
        }

        const absl::Time now = deps_.clock();
        const std::string& decider = call.caller().subject;
        if (req.approve()) {
          AmendmentPrevious previous;
          if (amendment.new_period) {
            if (!app.period) return status::Internal("an approved application has no period");
            previous.period = app.period;
          }
          if (amendment.new_budget) {
            v1::BudgetPlan before;
            *before.mutable_lines() = app.application.budget_lines();
            previous.budget = std::move(before);
          }
          amendments.Approve(amendment.amendment_id, previous, req.comment(), decider, now);
          amendments.ApplyToApplication(key->application_id, amendment.new_period,
                                        amendment.new_budget, now);
          if (amendment.new_period) {
            if (absl::Status st = RescheduleOpenReports(tx, change, app, *amendment.new_period);
                !st.ok()) {
              return st;
            }
          }
          std::string changed;
          if (previous.period) {
            absl::StrAppend(&changed, "period=", PeriodText(*previous.period), "->",
                            PeriodText(*amendment.new_period));
          }
          if (previous.budget) {
            absl::StrAppend(&changed, changed.empty() ? "" : " ",
                            "budget_lines=", previous.budget->lines_size(), "->",
                            amendment.new_budget->lines_size());
          }
          change.Audit(req.name(), "approve", changed);
          change.Audit(app.Name(), "amend", absl::StrCat("amendment=", req.name(), " ", changed));
        } else {
          amendments.Reject(amendment.amendment_id, req.comment(), decider, now);
          change.Audit(req.name(), "reject");
        }
        if (absl::Status st = ReadBack(amendments, *key, req.name(), resp); !st.ok()) return st;

        v1::AmendmentDecidedEvent event;
        event.set_amendment(req.name());
        event.set_state(resp->state());
        *event.mutable_decide_time() = resp->decide_time();
        return change.Emit(req.name(), event, access::EventOwner(app));
      });
}

}  // namespace integration::grants
