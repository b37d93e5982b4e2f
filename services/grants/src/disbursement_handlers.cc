// GrantsService disbursement RPCs: the payment plan of an approved application. Every change
// takes the application's row lock first, so concurrent instalments of one application are
// checked one after the other and scheduled plus paid instalments never exceed the approved
// amount; paying adds to the application's paid amount and announces the payment.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "access.h"
#include "application_repository.h"
#include "disbursement_repository.h"
#include "grants_service.h"
#include "integration/api/change.h"
#include "integration/api/handler.h"
#include "integration/api/page_token.h"
#include "integration/auth/tenancy.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/grants/v1/events.pb.h"
#include "rules/disbursement_rules.h"
#include "rules/state_rules.h"
#include "rules/values_rules.h"

namespace integration::grants {
namespace {

absl::Status DisbursementNotFound(const ChildKey& key) {
  const std::string name = ChildName(key.call_id, key.application_id, "disbursements", key.id);
  return status::NotFound(kReasonDisbursementNotFound, absl::StrCat(name, " does not exist"),
                          {{"disbursement", name}});
}

// The application with its row lock, once the caller is known to be a county officer of its
// county (ApplicationRepository::Load: NOT_FOUND to one who may not read it).
absl::StatusOr<ApplicationRecord> LockApplication(pqxx::work& tx, const grpc::CallContext& call,
                                                  int64_t call_id, int64_t application_id) {
  return ApplicationRepository(tx).Load(auth::Scope::Of(call.caller()),
                                        ApplicationKey{call_id, application_id},
                                        access::Acting::kCountyOfficer, /*for_update=*/true);
}

}  // namespace

absl::Status GrantsServiceImpl::DoCreateDisbursement(const grpc::CallContext& call,
                                                     const v1::CreateDisbursementRequest& req,
                                                     v1::Disbursement* resp) {
  absl::StatusOr<ApplicationKey> key = ParseApplicationName(req.parent(), "parent");
  if (!key.ok()) return key.status();
  if (absl::Status st = CheckNewDisbursement(req.disbursement()); !st.ok()) return st;
  const int64_t amount = req.disbursement().amount().ore();
  const absl::CivilDay scheduled = ToCivilDay(req.disbursement().scheduled_date());
  const std::string name = ApplicationName(key->call_id, key->application_id);
  const absl::Time now = deps_.clock();
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) { return LockApplication(tx, call, key->call_id, key->application_id); },
      [&](pqxx::work& tx, const ApplicationRecord& app) -> absl::Status {
        if (!app.Approved()) {
          return WrongState(kReasonNotApproved, name, app.stored_state,
                            absl::StrCat(name,
                                         " is not an approved application; only approved "
                                         "grants are paid out"));
        }
        DisbursementRepository repo(tx);
        if (absl::Status s = CheckWithinApproved(name, app.approved_ore,
                                                 repo.Committed(key->application_id), amount);
            !s.ok()) {
          return s;
        }
        absl::StatusOr<DisbursementRow> row =
            repo.Insert(key->call_id, key->application_id, amount, scheduled, now);
        if (!row.ok()) return row.status();
        *resp = std::move(row->disbursement);
        change.Audit(resp->name(), "create",
                     absl::StrCat("amount_ore=", amount, "; scheduled=", DayText(scheduled)));
        return absl::OkStatus();
      });
}

absl::Status GrantsServiceImpl::DoListDisbursements(const grpc::CallContext& call,
                                                    const v1::ListDisbursementsRequest& req,
                                                    v1::ListDisbursementsResponse* resp) {
  absl::StatusOr<ApplicationKey> key = ParseApplicationName(req.parent(), "parent");
  if (!key.ok()) return key.status();
  absl::StatusOr<int> page_size = api::PageSize(req.page_size());
  if (!page_size.ok()) return page_size.status();
  const std::string query =
      absl::StrCat("ListDisbursements|", ApplicationName(key->call_id, key->application_id));
  absl::StatusOr<std::optional<api::PageKey>> page =
      api::DecodePageToken(req.page_token(), query, 2);
  if (!page.ok()) return page.status();
  std::string after_date = "-infinity";
  int64_t after_id = 0;
  if (*page) {
    if (!ParseDateText((**page)[0]) || !absl::SimpleAtoi((**page)[1], &after_id)) {
      return api::InvalidPageToken();
    }
    after_date = (**page)[0];
  }
  return deps_.pool.Transact(call.deadline(), [&](pqxx::work& tx) -> absl::Status {
    resp->Clear();
    absl::StatusOr<ApplicationRecord> app = ApplicationRepository(tx).Load(
        auth::Scope::Of(call.caller()), *key, access::Acting::kReader, /*for_update=*/false);
    if (!app.ok()) return app.status();
    absl::StatusOr<std::vector<DisbursementRow>> rows = DisbursementRepository(tx).List(
        key->call_id, key->application_id, after_date, after_id, *page_size + 1);
    if (!rows.ok()) return rows.status();
    const bool more = static_cast<int>(rows->size()) > *page_size;
    if (more) rows->resize(*page_size);
    for (DisbursementRow& row : *rows) *resp->add_disbursements() = std::move(row.disbursement);
    if (more) {
      resp->set_next_page_token(api::EncodePageToken(
          query, {rows->back().scheduled_date, absl::StrCat(rows->back().disbursement_id)}));
    }
    return absl::OkStatus();
  });
}

absl::Status GrantsServiceImpl::DoPayDisbursement(const grpc::CallContext& call,
                                                  const v1::PayDisbursementRequest& req,
                                                  v1::Disbursement* resp) {
  absl::StatusOr<ChildKey> key = ParseChildName(req.name(), "disbursements", "name");
  if (!key.ok()) return key.status();
  if (absl::Status st = CheckPaymentReference(req.payment_reference()); !st.ok()) return st;
  const absl::Time now = deps_.clock();
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) { return LockApplication(tx, call, key->call_id, key->application_id); },
      [&](pqxx::work& tx, const ApplicationRecord& app) -> absl::Status {
        DisbursementRepository repo(tx);
        absl::StatusOr<std::optional<DisbursementRow>> current =
            repo.Find(key->call_id, key->application_id, key->id, /*for_update=*/true);
        if (!current.ok()) return current.status();
        if (!*current) return DisbursementNotFound(*key);
        const std::string& name = (*current)->disbursement.name();
        if (absl::Status s = api::CheckEtag(req.etag(), (*current)->disbursement.etag(), name);
            !s.ok()) {
          return s;
        }
        if ((*current)->state != "SCHEDULED") {
          return WrongState(kReasonNotScheduled, name, (*current)->state,
                            absl::StrCat(name, " is ", (*current)->state,
                                         "; only a SCHEDULED instalment is paid"));
        }
        absl::StatusOr<std::optional<DisbursementRow>> paid =
            repo.Pay(key->call_id, key->application_id, key->id, req.payment_reference(), now);
        if (!paid.ok()) return paid.status();
        if (!*paid) return status::Internal("the locked instalment changed state");
        // applications_paid_within_approved backs this up; the plan's ceiling makes it hold.
        repo.AddPaid(key->application_id, (*paid)->amount_ore, now);
        *resp = std::move((*paid)->disbursement);

        v1::DisbursementPaidEvent event;
        event.set_disbursement(resp->name());
        *event.mutable_amount() = resp->amount();
        event.set_payment_reference(resp->payment_reference());
        *event.mutable_pay_time() = resp->pay_time();
        change.Audit(resp->name(), "pay", absl::StrCat("amount_ore=", resp->amount().ore()));
        return change.Emit(resp->name(), event, access::EventOwner(app));
      });
}

absl::Status GrantsServiceImpl::DoCancelDisbursement(const grpc::CallContext& call,
                                                     const v1::CancelDisbursementRequest& req,
                                                     v1::Disbursement* resp) {
  absl::StatusOr<ChildKey> key = ParseChildName(req.name(), "disbursements", "name");
  if (!key.ok()) return key.status();
  const absl::Time now = deps_.clock();
  api::Change change(deps_.pool, call, req, resp, deps_.nudge_outbox);
  return change.Run(
      [&](pqxx::work& tx) { return LockApplication(tx, call, key->call_id, key->application_id); },
      [&](pqxx::work& tx, const ApplicationRecord&) -> absl::Status {
        DisbursementRepository repo(tx);
        absl::StatusOr<std::optional<DisbursementRow>> current =
            repo.Find(key->call_id, key->application_id, key->id, /*for_update=*/true);
        if (!current.ok()) return current.status();
        if (!*current) return DisbursementNotFound(*key);
        const std::string& name = (*current)->disbursement.name();
        if (absl::Status s = api::CheckEtag(req.etag(), (*current)->disbursement.etag(), name);
            !s.ok()) {
          return s;
        }
        if ((*current)->state != "SCHEDULED") {
          return WrongState(kReasonNotScheduled, name, (*current)->state,
                            absl::StrCat(name, " is ", (*current)->state,
                                         "; only a SCHEDULED instalment is cancelled"));
        }
        absl::StatusOr<std::optional<DisbursementRow>> cancelled =
            repo.Cancel(key->call_id, key->application_id, key->id, now);
        if (!cancelled.ok()) return cancelled.status();
        if (!*cancelled) return status::Internal("the locked instalment changed state");
        *resp = std::move((*cancelled)->disbursement);
        change.Audit(resp->name(), "cancel", absl::StrCat("amount_ore=", resp->amount().ore()));
        return absl::OkStatus();
      });
}

}  // namespace integration::grants
