// Amendments in PostgreSQL (sql/queries/amendment_*.sql).
#include "amendment_repository.h"

#include <utility>

#include "rules/amendment_rules.h"
#include "integration/api/handler.h"
#include "integration/status/status.h"

namespace integration::grants {
namespace {

// A stored optional period: both dates NULL or both set.
absl::StatusOr<std::optional<Period>> StoredPeriod(const pqxx::field& start,
                                                   const pqxx::field& end) {
  const std::string start_text = start.as<std::string>(std::string());
  const std::string end_text = end.as<std::string>(std::string());
  if (start_text.empty() && end_text.empty()) return std::optional<Period>();
  const std::optional<type::Date> s = ParseDateText(start_text);
  const std::optional<type::Date> e = ParseDateText(end_text);
  if (!s || !e) return status::Internal("stored amendment period is not a pair of dates");
  return std::optional<Period>(Period{ToCivilDay(*s), ToCivilDay(*e)});
}

// A stored optional budget: NULL when it does not change (or did not).
absl::StatusOr<std::optional<v1::BudgetPlan>> StoredBudget(const pqxx::field& bytes) {
  if (bytes.is_null()) return std::optional<v1::BudgetPlan>();
  v1::BudgetPlan plan;
  if (!plan.ParseFromString(pqxx::binarystring(bytes).str())) {
    return status::Internal("stored amendment budget is corrupt");
  }
  return std::optional<v1::BudgetPlan>(std::move(plan));
}

absl::StatusOr<AmendmentRow> AmendmentFromRow(const pqxx::row& row) {
  AmendmentRow r;
  r.amendment_id = row["amendment_id"].as<int64_t>();
  r.application_id = row["application_id"].as<int64_t>();
  r.call_id = row["call_id"].as<int64_t>();
  r.state = AmendmentStateOf(row["state"].as<std::string>());
  if (r.state == v1::AMENDMENT_STATE_UNSPECIFIED) {
    return status::Internal("stored amendment state unknown");
  }
  r.reason = row["reason"].as<std::string>();
  absl::StatusOr<std::optional<Period>> new_period =
      StoredPeriod(row["new_period_start"], row["new_period_end"]);
  if (!new_period.ok()) return new_period.status();
  r.new_period = *new_period;
  absl::StatusOr<std::optional<v1::BudgetPlan>> new_budget = StoredBudget(row["new_budget"]);
  if (!new_budget.ok()) return new_budget.status();
  r.new_budget = *std::move(new_budget);
  absl::StatusOr<std::optional<Period>> prev_period =
      StoredPeriod(row["prev_period_start"], row["prev_period_end"]);
  if (!prev_period.ok()) return prev_period.status();
  r.prev_period = *prev_period;
  absl::StatusOr<std::optional<v1::BudgetPlan>> prev_budget = StoredBudget(row["prev_budget"]);
  if (!prev_budget.ok()) return prev_budget.status();
  r.prev_budget = *std::move(prev_budget);
  r.decision_comment = row["decision_comment"].as<std::string>();
  r.decider = row["decider"].as<std::string>();
  r.create_time = api::FromMicros(row["create_micros"].as<int64_t>());
  if (const int64_t us = row["decide_micros"].as<int64_t>(0); us != 0)
    r.decide_time = api::FromMicros(us);
  r.revision = row["revision"].as<int64_t>();
  return r;
}

void SetPeriod(const Period& period, type::DatePeriod* out) {
  *out->mutable_start_date() = FromCivilDay(period.start);
  *out->mutable_end_date() = FromCivilDay(period.end);
}

pqxx::binarystring BudgetBytes(const std::optional<v1::BudgetPlan>& budget) {
  return pqxx::binarystring(budget ? budget->SerializeAsString() : std::string());
}

}  // namespace

std::string AmendmentRow::Name() const {
  return ChildName(call_id, application_id, "amendments", amendment_id);
}

v1::Amendment AmendmentRow::ToProto() const {
  v1::Amendment p;
  p.set_name(Name());
  p.set_state(state);
  p.set_reason(reason);
  if (new_period) SetPeriod(*new_period, p.mutable_project_period());
  if (new_budget) *p.mutable_budget() = *new_budget;
  if (prev_period) SetPeriod(*prev_period, p.mutable_previous_project_period());
  if (prev_budget) *p.mutable_previous_budget() = *prev_budget;
  p.set_decision_comment(decision_comment);
  p.set_decider(decider);
  api::SetTimestamp(create_time, p.mutable_create_time());
  if (decide_time) api::SetTimestamp(*decide_time, p.mutable_decide_time());
  p.set_etag(api::EtagOf(revision));
  return p;
}

absl::StatusOr<std::optional<AmendmentRow>> AmendmentRepository::Get(int64_t call_id,
                                                                     int64_t application_id,
                                                                     int64_t amendment_id,
                                                                     bool lock) {
  const pqxx::result r = tx_.exec_prepared(lock ? "amendment_get_for_update" : "amendment_get",
                                           call_id, application_id, amendment_id);
  if (r.empty()) return std::optional<AmendmentRow>();
  absl::StatusOr<AmendmentRow> row = AmendmentFromRow(r[0]);
  if (!row.ok()) return row.status();
  return std::optional<AmendmentRow>(*std::move(row));
}

absl::StatusOr<std::vector<AmendmentRow>> AmendmentRepository::List(int64_t application_id,
                                                                    int64_t after, int limit) {
  const pqxx::result result =
      tx_.exec_prepared("amendment_list", application_id, after, static_cast<int64_t>(limit));
  std::vector<AmendmentRow> out;
  out.reserve(result.size());
  for (const pqxx::row& row : result) {
    absl::StatusOr<AmendmentRow> r = AmendmentFromRow(row);
    if (!r.ok()) return r.status();
    out.push_back(*std::move(r));
  }
  return out;
}

std::optional<int64_t> AmendmentRepository::FindRequested(int64_t application_id) {
  const pqxx::result r = tx_.exec_prepared("amendment_find_requested", application_id);
  if (r.empty()) return std::nullopt;
  return r[0]["amendment_id"].as<int64_t>();
}

int64_t AmendmentRepository::Insert(int64_t application_id, const std::string& reason,
                                    const std::optional<Period>& period,
                                    const std::optional<v1::BudgetPlan>& budget,
                                    absl::Time create_time) {
  const pqxx::result r =
      tx_.exec_prepared("amendment_insert", application_id, reason,
                        period ? DayText(period->start) : "", period ? DayText(period->end) : "",
                        budget.has_value(), BudgetBytes(budget), api::ToMicros(create_time));
  return r[0]["amendment_id"].as<int64_t>();
}

void AmendmentRepository::Approve(int64_t amendment_id, const AmendmentPrevious& previous,
                                  const std::string& comment, const std::string& decider,
                                  absl::Time decide_time) {
  tx_.exec_prepared(
      "amendment_approve", amendment_id, previous.period ? DayText(previous.period->start) : "",
      previous.period ? DayText(previous.period->end) : "", previous.budget.has_value(),
      BudgetBytes(previous.budget), comment, decider, api::ToMicros(decide_time));
}

void AmendmentRepository::Reject(int64_t amendment_id, const std::string& comment,
                                 const std::string& decider, absl::Time decide_time) {
  tx_.exec_prepared("amendment_reject", amendment_id, comment, decider, api::ToMicros(decide_time));
}

void AmendmentRepository::ApplyToApplication(int64_t application_id,
                                             const std::optional<Period>& period,
                                             const std::optional<v1::BudgetPlan>& budget,
                                             absl::Time update_time) {
  tx_.exec_prepared("amendment_apply", application_id, period ? DayText(period->start) : "",
                    period ? DayText(period->end) : "", budget.has_value(), BudgetBytes(budget),
                    api::ToMicros(update_time));
}

}  // namespace integration::grants
