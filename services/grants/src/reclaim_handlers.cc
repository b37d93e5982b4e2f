// GrantsService reclaim RPCs (återkrav): a county officer raises a claim on an approved
// application when the accepted use is below what was paid or the final report is missing past
// its due date (amount = paid − accepted use, see reclaim_rules.h), and settles or waives it;
// the applicant and the county's officers read them.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "access.h"
#include "application_repository.h"
#include "child_list.h"
#include "grants_service.h"
#include "integration/api/change.h"
#include "integration/api/handler.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/grants/v1/events.pb.h"
#include "reclaim_repository.h"
#include "report_repository.h"
#include "rules/reclaim_rules.h"
#include "rules/state_rules.h"
#include "rules/values_rules.h"

namespace integration::grants {
namespace {

constexpr std::string_view kReasonApplicationNotApproved = "APPLICATION_NOT_APPROVED";

absl::Status ReclaimNotFound(std::string_view name) {
  return status::NotFound("RECLAIM_NOT_FOUND", absl::StrCat(std::string(name), " does not exist"),
                          {{"reclaim", std::string(name)}});
}

absl::Status AlreadyRaised(std::string_view application, std::string_view reclaim) {
  return status::FailedPrecondition(
      kReasonReclaimAlreadyRaised,
      absl::StrCat(std::string(application), " already has a raised reclaim",
                   reclaim.empty() ? "" : absl::StrCat(", ", std::string(reclaim)),
                   ": settle or waive it first"),
      {{"application", std::string(application)}, {"reclaim", std::string(reclaim)}});
}

// Loads and locks the application of a reclaim transition once the caller is known to be an
// officer of its county (a missing one, or one the caller may not read, means a missing
// reclaim).
absl::StatusOr<ApplicationRecord> LockApplicationForReclaim(pqxx::work& tx,
                                                            const grpc::CallContext& call,
                                                            const ChildKey& key,
                                                            std::string_view name) {
  return ApplicationRepository(tx).Load(
      auth::Scope::Of(call.caller()), ApplicationKey{key.call_id, key.application_id},
      access::Acting::kCountyOfficer, /*for_update=*/true, ReclaimNotFound(name));
}

// Loads and locks a RAISED reclaim for settling or waiving, checking the client's etag.
absl::StatusOr<ReclaimRow> LockRaisedReclaim(ReclaimRepository& reclaims, const ChildKey& key,
                                             std::string_view name, std::string_view etag,
                                             std::string_view verb) {
  absl::StatusOr<std::optional<ReclaimRow>> row =
      reclaims.Get(key.call_id, key.application_id, key.id, /*lock=*/true);
  if (!row.ok()) return row.status();
  if (!*row) return ReclaimNotFound(name);
  if (absl::Status st = api::CheckEtag(etag, api::EtagOf((*row)->revision), name); !st.ok()) {
    return st;
  }
  if ((*row)->state != v1::RECLAIM_STATE_RAISED) {
    const std::string state(ReclaimStateText((*row)->state));
    return WrongState(kReasonReclaimNotRaised, name, state,
                      absl::StrCat(std::string(name), " is ", state,
                                   ": only RAISED reclaims can be ", std::string(verb)));
  }
  return **std::move(row);
}

absl::Status ReadBack(ReclaimRepository& reclaims, const ChildKey& key, std::string_view name,
                      v1::Reclaim* out) {
  absl::StatusOr<std::optional<ReclaimRow>> row =
      reclaims.Get(key.call_id, key.application_id, key.id, /*lock=*/false);
  if (!row.ok()) return row.status();
  if (!*row) return ReclaimNotFound(name);
  *out = (*row)->ToProto();
  return absl::OkStatus();
}

}  // namespace

absl::Status GrantsServiceImpl::DoRaiseReclaim(const grpc::CallContext& call,
                                               const v1::RaiseReclaimRequest& req,
                                               v1::Reclaim* resp) {
  absl::StatusOr<ApplicationKey> parent = ParseApplicationName(req.parent(), "parent");
  if (!parent.ok()) return parent.status();
  if (absl::Status st = CheckReclaimRequest(req.reclaim()); !st.ok()) return st;
  const std::string application = ApplicationName(parent->call_id, parent->application_id);

  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  const absl::Status st = change.Run(
      // The application's row lock serialises concurrent raises: the second one finds the
      // first's RAISED reclaim below (reclaims_one_raised is the backstop).
      [&](pqxx::work& tx) {
        return ApplicationRepository(tx).Load(auth::Scope::Of(call.caller()), *parent,
                                              access::Acting::kCountyOfficer,
                                              /*for_update=*/true);
      },
      [&](pqxx::work& tx, const ApplicationRecord& app) -> absl::Status {
        if (!app.Approved()) {
          return WrongState(
              kReasonApplicationNotApproved, application, app.stored_state,
              absl::StrCat(application, " is not an approved grant: nothing to reclaim"));
        }
        ReclaimRepository reclaims(tx);
        if (std::optional<int64_t> open = reclaims.FindRaised(parent->application_id)) {
          return AlreadyRaised(
              application, ChildName(parent->call_id, parent->application_id, "reclaims", *open));
        }
        absl::StatusOr<std::vector<ReportRow>> reports =
            ReportRepository(tx).ListAll(parent->application_id);
        if (!reports.ok()) return reports.status();
        std::vector<ReclaimReportFacts> facts;
        facts.reserve(reports->size());
        for (const ReportRow& r : *reports) {
          facts.push_back({.type = r.type,
                           .state = r.state,
                           .due_date = r.due_date,
                           .accepted_ore = r.accepted_ore});
        }
        const absl::Time now = deps_.clock();
        absl::StatusOr<int64_t> amount = ReclaimAmount(req.reclaim().reason(), app.paid_ore, facts,
                                                       StockholmDay(now), application);
        if (!amount.ok()) return amount.status();

        const int64_t id = reclaims.Raise(parent->application_id, req.reclaim().reason(), *amount,
                                          req.reclaim().comment(), now);
        const ChildKey key{parent->call_id, parent->application_id, id};
        const std::string name = ChildName(key.call_id, key.application_id, "reclaims", id);
        if (absl::Status st = ReadBack(reclaims, key, name, resp); !st.ok()) return st;

        v1::ReclaimRaisedEvent event;
        event.set_reclaim(name);
        event.set_reason(resp->reason());
        *event.mutable_amount() = resp->amount();
        *event.mutable_raise_time() = resp->raise_time();
        change.Audit(name, "raise",
                     absl::StrCat("reason=", std::string(ReclaimReasonText(resp->reason())),
                                  " amount_ore=", *amount, " paid_ore=", app.paid_ore,
                                  " accepted_use_ore=", AcceptedUse(facts)));
        return change.Emit(name, event, access::EventOwner(app));
      });
  if (api::IsUniqueViolation(st, "reclaims_one_raised")) return AlreadyRaised(application, "");
  return st;
}

absl::Status GrantsServiceImpl::DoListReclaims(const grpc::CallContext& call,
                                               const v1::ListReclaimsRequest& req,
                                               v1::ListReclaimsResponse* resp) {
  absl::StatusOr<std::string> next = ListApplicationChildren<ReclaimRow>(
      deps_.pool, call, "ListReclaims", req.parent(), api::PageSize(req.page_size()),
      req.page_token(), access::Acting::kReader,
      [](pqxx::work& tx, const ApplicationRecord& app, const api::IdPage& page) {
        return ReclaimRepository(tx).List(app.application_id, page.after, page.size + 1);
      },
      [](const ReclaimRow& row) { return row.reclaim_id; },
      [resp](const ReclaimRow& row) { *resp->add_reclaims() = row.ToProto(); });
  if (!next.ok()) return next.status();
  resp->set_next_page_token(*std::move(next));
  return absl::OkStatus();
}

absl::Status GrantsServiceImpl::DoSettleReclaim(const grpc::CallContext& call,
                                                const v1::SettleReclaimRequest& req,
                                                v1::Reclaim* resp) {
  absl::StatusOr<ChildKey> key = ParseChildName(req.name(), "reclaims", "name");
  if (!key.ok()) return key.status();
  if (absl::Status st = CheckSettleRequest(req); !st.ok()) return st;

  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) { return LockApplicationForReclaim(tx, call, *key, req.name()); },
      [&](pqxx::work& tx, const ApplicationRecord&) -> absl::Status {
        ReclaimRepository reclaims(tx);
        absl::StatusOr<ReclaimRow> reclaim =
            LockRaisedReclaim(reclaims, *key, req.name(), req.etag(), "settled");
        if (!reclaim.ok()) return reclaim.status();
        const int64_t settled = req.settled_amount().ore();
        if (absl::Status st = CheckSettledWithinAmount(settled, reclaim->amount_ore); !st.ok()) {
          return st;
        }
        reclaims.Settle(reclaim->reclaim_id, settled, req.payment_reference(), deps_.clock());
        if (absl::Status st = ReadBack(reclaims, *key, req.name(), resp); !st.ok()) return st;
        change.Audit(req.name(), "settle",
                     absl::StrCat("settled_ore=", settled, " amount_ore=", reclaim->amount_ore));
        return absl::OkStatus();
      });
}

absl::Status GrantsServiceImpl::DoWaiveReclaim(const grpc::CallContext& call,
                                               const v1::WaiveReclaimRequest& req,
                                               v1::Reclaim* resp) {
  absl::StatusOr<ChildKey> key = ParseChildName(req.name(), "reclaims", "name");
  if (!key.ok()) return key.status();
  if (absl::Status st = CheckWaiveRequest(req); !st.ok()) return st;

  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) { return LockApplicationForReclaim(tx, call, *key, req.name()); },
      [&](pqxx::work& tx, const ApplicationRecord&) -> absl::Status {
        ReclaimRepository reclaims(tx);
        absl::StatusOr<ReclaimRow> reclaim =
            LockRaisedReclaim(reclaims, *key, req.name(), req.etag(), "waived");
        if (!reclaim.ok()) return reclaim.status();
        reclaims.Waive(reclaim->reclaim_id, req.reason(), deps_.clock());
        if (absl::Status st = ReadBack(reclaims, *key, req.name(), resp); !st.ok()) return st;
        change.Audit(req.name(), "waive", absl::StrCat("amount_ore=", reclaim->amount_ore));
        return absl::OkStatus();
      });
}

}  // namespace integration::grants
