// Reclaims in PostgreSQL (sql/queries/reclaim_*.sql).
#include "reclaim_repository.h"

#include <utility>

#include "integration/api/handler.h"
#include "integration/status/status.h"
#include "rules/reclaim_rules.h"
#include "rules/values_rules.h"

namespace integration::grants {
namespace {

absl::StatusOr<ReclaimRow> ReclaimFromRow(const pqxx::row& row) {
  ReclaimRow r;
  r.reclaim_id = row["reclaim_id"].as<int64_t>();
  r.application_id = row["application_id"].as<int64_t>();
  r.call_id = row["call_id"].as<int64_t>();
  r.reason = ReclaimReasonOf(row["reason"].as<std::string>());
  if (r.reason == v1::RECLAIM_REASON_UNSPECIFIED) {
    return status::Internal("stored reclaim reason unknown");
  }
  r.amount_ore = row["amount_ore"].as<int64_t>();
  r.state = ReclaimStateOf(row["state"].as<std::string>());
  if (r.state == v1::RECLAIM_STATE_UNSPECIFIED) {
    return status::Internal("stored reclaim state unknown");
  }
  r.comment = row["comment"].as<std::string>();
  r.settled_ore = row["settled_ore"].as<int64_t>();
  r.payment_reference = row["payment_reference"].as<std::string>();
  r.waive_reason = row["waive_reason"].as<std::string>();
  r.raise_time = api::FromMicros(row["raise_micros"].as<int64_t>());
  if (const int64_t us = row["close_micros"].as<int64_t>(0); us != 0)
    r.close_time = api::FromMicros(us);
  r.revision = row["revision"].as<int64_t>();
  return r;
}

}  // namespace

std::string ReclaimRow::Name() const {
  return ChildName(call_id, application_id, "reclaims", reclaim_id);
}

v1::Reclaim ReclaimRow::ToProto() const {
  v1::Reclaim p;
  p.set_name(Name());
  p.set_reason(reason);
  p.mutable_amount()->set_ore(amount_ore);
  p.set_state(state);
  p.set_comment(comment);
  if (state == v1::RECLAIM_STATE_SETTLED) p.mutable_settled_amount()->set_ore(settled_ore);
  p.set_payment_reference(payment_reference);
  p.set_waive_reason(waive_reason);
  api::SetTimestamp(raise_time, p.mutable_raise_time());
  if (close_time) api::SetTimestamp(*close_time, p.mutable_close_time());
  p.set_etag(api::EtagOf(revision));
  return p;
}

absl::StatusOr<std::optional<ReclaimRow>> ReclaimRepository::Get(int64_t call_id,
                                                                 int64_t application_id,
                                                                 int64_t reclaim_id, bool lock) {
  const pqxx::result r = tx_.exec_prepared(lock ? "reclaim_get_for_update" : "reclaim_get", call_id,
                                           application_id, reclaim_id);
  if (r.empty()) return std::optional<ReclaimRow>();
  absl::StatusOr<ReclaimRow> row = ReclaimFromRow(r[0]);
  if (!row.ok()) return row.status();
  return std::optional<ReclaimRow>(*std::move(row));
}

absl::StatusOr<std::vector<ReclaimRow>> ReclaimRepository::List(int64_t application_id,
                                                                int64_t after, int limit) {
  const pqxx::result result =
      tx_.exec_prepared("reclaim_list", application_id, after, static_cast<int64_t>(limit));
  std::vector<ReclaimRow> out;
  out.reserve(result.size());
  for (const pqxx::row& row : result) {
    absl::StatusOr<ReclaimRow> r = ReclaimFromRow(row);
    if (!r.ok()) return r.status();
    out.push_back(*std::move(r));
  }
  return out;
}

std::optional<int64_t> ReclaimRepository::FindRaised(int64_t application_id) {
  const pqxx::result r = tx_.exec_prepared("reclaim_find_raised", application_id);
  if (r.empty()) return std::nullopt;
  return r[0]["reclaim_id"].as<int64_t>();
}

int64_t ReclaimRepository::Raise(int64_t application_id, v1::ReclaimReason reason,
                                 int64_t amount_ore, const std::string& comment,
                                 absl::Time raise_time) {
  const pqxx::result r =
      tx_.exec_prepared("reclaim_insert", application_id, std::string(ReclaimReasonText(reason)),
                        amount_ore, comment, api::ToMicros(raise_time));
  return r[0]["reclaim_id"].as<int64_t>();
}

void ReclaimRepository::Settle(int64_t reclaim_id, int64_t settled_ore,
                               const std::string& payment_reference, absl::Time close_time) {
  tx_.exec_prepared("reclaim_settle", reclaim_id, settled_ore, payment_reference,
                    api::ToMicros(close_time));
}

void ReclaimRepository::Waive(int64_t reclaim_id, const std::string& reason,
                              absl::Time close_time) {
  tx_.exec_prepared("reclaim_waive", reclaim_id, reason, api::ToMicros(close_time));
}

}  // namespace integration::grants
