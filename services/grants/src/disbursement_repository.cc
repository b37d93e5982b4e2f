// Disbursements in PostgreSQL: rows to and from v1::Disbursement.
#include "disbursement_repository.h"

#include <utility>

#include "integration/api/handler.h"
#include "integration/status/status.h"
#include "rules/values_rules.h"

namespace integration::grants {
namespace {

v1::DisbursementState StateOf(const std::string& stored) {
  if (stored == "SCHEDULED") return v1::DISBURSEMENT_STATE_SCHEDULED;
  if (stored == "PAID") return v1::DISBURSEMENT_STATE_PAID;
  if (stored == "CANCELLED") return v1::DISBURSEMENT_STATE_CANCELLED;
  return v1::DISBURSEMENT_STATE_UNSPECIFIED;
}

// Reads a row with the columns of disbursement_row (by name).
absl::StatusOr<DisbursementRow> DisbursementFromRow(int64_t call_id, const pqxx::row& row) {
  DisbursementRow out;
  out.disbursement_id = row["disbursement_id"].as<int64_t>();
  const int64_t application_id = row["application_id"].as<int64_t>();
  out.amount_ore = row["amount_ore"].as<int64_t>();
  out.scheduled_date = row["scheduled_date"].as<std::string>();
  out.state = row["state"].as<std::string>();
  out.revision = row["revision"].as<int64_t>();
  std::optional<type::Date> date = ParseDateText(out.scheduled_date);
  if (!date) return status::Internal("stored scheduled date is not a date");
  v1::Disbursement& d = out.disbursement;
  d.set_name(ChildName(call_id, application_id, "disbursements", out.disbursement_id));
  d.mutable_amount()->set_ore(out.amount_ore);
  *d.mutable_scheduled_date() = *date;
  d.set_state(StateOf(out.state));
  d.set_payment_reference(row["payment_reference"].as<std::string>());
  if (const int64_t pay = row["pay_micros"].as<int64_t>(0); pay != 0) {
    api::SetTimestampMicros(pay, d.mutable_pay_time());
  }
  api::SetTimestampMicros(row["create_micros"].as<int64_t>(), d.mutable_create_time());
  d.set_etag(api::EtagOf(out.revision));
  return out;
}

absl::StatusOr<std::optional<DisbursementRow>> OptionalRow(int64_t call_id, const pqxx::result& r) {
  if (r.empty()) return std::optional<DisbursementRow>();
  absl::StatusOr<DisbursementRow> row = DisbursementFromRow(call_id, r[0]);
  if (!row.ok()) return row.status();
  return std::optional<DisbursementRow>(*std::move(row));
}

}  // namespace

int64_t DisbursementRepository::Committed(int64_t application_id) {
  return tx_.exec_prepared1("disbursement_committed", application_id)["committed_ore"]
      .as<int64_t>();
}

absl::StatusOr<DisbursementRow> DisbursementRepository::Insert(int64_t call_id,
                                                               int64_t application_id,
                                                               int64_t amount_ore,
                                                               absl::CivilDay scheduled,
                                                               absl::Time now) {
  pqxx::row row = tx_.exec_prepared1("disbursement_insert", application_id, amount_ore,
                                     DayText(scheduled), api::ToMicros(now));
  return DisbursementFromRow(call_id, row);
}

absl::StatusOr<std::optional<DisbursementRow>> DisbursementRepository::Find(int64_t call_id,
                                                                            int64_t application_id,
                                                                            int64_t disbursement_id,
                                                                            bool for_update) {
  return OptionalRow(
      call_id, tx_.exec_prepared(for_update ? "disbursement_get_for_update" : "disbursement_get",
                                 application_id, disbursement_id));
}

absl::StatusOr<std::optional<DisbursementRow>> DisbursementRepository::Pay(
    int64_t call_id, int64_t application_id, int64_t disbursement_id, const std::string& reference,
    absl::Time now) {
  return OptionalRow(call_id, tx_.exec_prepared("disbursement_pay", application_id, disbursement_id,
                                                reference, api::ToMicros(now)));
}

absl::StatusOr<std::optional<DisbursementRow>> DisbursementRepository::Cancel(
    int64_t call_id, int64_t application_id, int64_t disbursement_id, absl::Time now) {
  return OptionalRow(call_id, tx_.exec_prepared("disbursement_cancel", application_id,
                                                disbursement_id, api::ToMicros(now)));
}

void DisbursementRepository::AddPaid(int64_t application_id, int64_t amount_ore, absl::Time now) {
  tx_.exec_prepared0("disbursement_add_paid", application_id, amount_ore, api::ToMicros(now));
}

absl::StatusOr<std::vector<DisbursementRow>> DisbursementRepository::List(
    int64_t call_id, int64_t application_id, const std::string& after_date, int64_t after_id,
    int limit) {
  pqxx::result r =
      tx_.exec_prepared("disbursement_list", application_id, after_date, after_id, limit);
  std::vector<DisbursementRow> out;
  out.reserve(r.size());
  for (const pqxx::row& row : r) {
    absl::StatusOr<DisbursementRow> d = DisbursementFromRow(call_id, row);
    if (!d.ok()) return d.status();
    out.push_back(*std::move(d));
  }
  return out;
}

}  // namespace integration::grants
