// GrantsService decision RPC: a county officer decides a submitted application within the
// call's budget. The call's row lock serialises the decisions of one call, so the budget check
// and the new approved total are one atomic step however many officers decide at once; an
// approval also creates the programme's required reports and announces the decision.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "access.h"
#include "application_repository.h"
#include "call_repository.h"
#include "decision_repository.h"
#include "grants_service.h"
#include "integration/api/change.h"
#include "integration/api/handler.h"
#include "integration/auth/tenancy.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/grants/v1/events.pb.h"
#include "programme_repository.h"
#include "rules/decision_rules.h"
#include "rules/state_rules.h"
#include "rules/values_rules.h"

namespace integration::grants {
namespace {

// "APPROVED" for DECISION_OUTCOME_APPROVED: the stored form.
std::string StoredOutcome(v1::DecisionOutcome outcome) {
  return std::string(absl::StripPrefix(v1::DecisionOutcome_Name(outcome), "DECISION_OUTCOME_"));
}

}  // namespace

absl::Status GrantsServiceImpl::DoDecideApplication(const grpc::CallContext& call,
                                                    const v1::DecideApplicationRequest& req,
                                                    v1::Application* resp) {
  absl::StatusOr<ApplicationKey> key = ParseApplicationName(req.name(), "name");
  if (!key.ok()) return key.status();
  if (absl::Status st = CheckDecisionRequest(req); !st.ok()) return st;
  const std::string name = ApplicationName(key->call_id, key->application_id);
  const absl::Time now = deps_.clock();
  struct Target {
    CallRecord call;
    ApplicationRecord app;
  };
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) -> absl::StatusOr<Target> {
        absl::StatusOr<LockedCallAndApplication> locked = LockCallAndApplication(
            tx, auth::Scope::Of(call.caller()), *key, access::Acting::kCountyOfficer, now);
        if (!locked.ok()) return locked.status();
        return Target{std::move(locked->call), std::move(locked->app)};
      },
      [&](pqxx::work& tx, const Target& target) -> absl::Status {
        const CallRecord& c = target.call;
        const ApplicationRecord& a = target.app;
        if (absl::Status s = api::CheckEtag(req.etag(), a.application.etag(), name); !s.ok())
          return s;
        if (a.stored_state != "SUBMITTED" && a.stored_state != "UNDER_REVIEW") {
          return WrongState(
              kReasonNotDecidable, name, a.stored_state,
              absl::StrCat(name, " is ", a.stored_state,
                           "; only SUBMITTED or UNDER_REVIEW applications are decided"));
        }
        absl::StatusOr<int64_t> approved = DecidedAmount(
            req.outcome(), req.has_approved_amount(), req.approved_amount().ore(), a.requested_ore);
        if (!approved.ok()) return approved.status();

        // The reports of an approval, computed before anything is written.
        std::vector<DueReport> reports;
        if (*approved > 0) {
          if (!a.period) {
            return WrongState(
                kReasonPeriodMissing, name, a.stored_state,
                absl::StrCat(name, " has no project period to count report dates from"));
          }
          absl::StatusOr<std::optional<v1::Programme>> programme =
              ProgrammeRepository(tx).Find(a.programme_id);
          if (!programme.ok()) return programme.status();
          if (!*programme) return status::Internal("the call's programme is missing");
          absl::StatusOr<std::vector<DueReport>> due = RequiredReports(**programme, *a.period);
          if (!due.ok()) return due.status();
          reports = *std::move(due);
          if (absl::Status s = CheckWithinBudget(CallName(key->call_id), c.budget_ore,
                                                 c.approved_total_ore, *approved);
              !s.ok()) {
            return s;
          }
        }

        DecisionRepository repo(tx);
        const std::string outcome = StoredOutcome(req.outcome());
        if (!repo.Apply(key->application_id, outcome, *approved, req.conditions(),
                        call.caller().subject, now)) {
          return status::Internal("the locked application changed state");
        }
        if (*approved > 0) repo.AddApproved(key->call_id, *approved, now);
        for (const DueReport& r : reports) {
          repo.InsertReport(
              key->application_id, a.lanskod,
              std::string(absl::StripPrefix(v1::ReportType_Name(r.type), "REPORT_TYPE_")), r.due);
        }

        absl::StatusOr<std::optional<ApplicationRecord>> decided =
            ApplicationRepository(tx).Find(key->call_id, key->application_id, /*for_update=*/false);
        if (!decided.ok()) return decided.status();
        if (!*decided) return status::Internal("the decided application is missing");
        *resp = std::move((*decided)->application);

        v1::ApplicationDecidedEvent event;
        event.set_application(name);
        event.set_diarienummer(resp->diarienummer());
        *event.mutable_applicant() = resp->applicant();
        event.set_programme(ProgrammeName(a.programme_id));
        event.set_outcome(req.outcome());
        event.mutable_approved_amount()->set_ore(*approved);
        *event.mutable_project_period() = resp->project_period();
        *event.mutable_decide_time() = resp->decision().decide_time();
        change.Audit(name, "decide",
                     absl::StrCat("outcome=", outcome, "; approved_ore=", *approved,
                                  "; reports=", reports.size()));
        return change.Emit(name, event, access::EventOwner(a));
      });
}

}  // namespace integration::grants
