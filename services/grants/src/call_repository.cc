// Calls in PostgreSQL: the SQL of sql/queries/call_*.sql over the call_row view.
#include "call_repository.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "integration/api/handler.h"
#include "integration/status/status.h"
#include "programme_repository.h"
#include "rules/values_rules.h"

namespace integration::grants {
namespace {

absl::Time TimeOf(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

// Times are stored with microsecond precision (PostgreSQL's); finer parts are dropped.
int64_t MicrosOf(const google::protobuf::Timestamp& t) { return api::ToMicros(TimeOf(t)); }

// The stored form of the criteria: a Call holding only them.
pqxx::binarystring CriteriaBytes(const v1::Call& call) {
  v1::Call only_criteria;
  *only_criteria.mutable_criteria() = call.criteria();
  return pqxx::binarystring(only_criteria.SerializeAsString());
}

absl::StatusOr<type::Date> StoredDate(const pqxx::field& field) {
  std::optional<type::Date> date = ParseDateText(field.as<std::string>());
  if (!date) return status::Internal(absl::StrCat("stored ", field.name(), " is not a date"));
  return *date;
}

// Reads a row with the columns of call_row (by name).
absl::StatusOr<CallRecord> CallFromRow(const pqxx::row& row, absl::Time now) {
  CallRecord rec;
  rec.call_id = row["call_id"].as<int64_t>();
  rec.programme_id = row["programme_id"].as<std::string>();
  rec.lanskod = row["lanskod"].as<std::string>();
  rec.open_time = api::FromMicros(row["open_micros"].as<int64_t>());
  rec.close_time = api::FromMicros(row["close_micros"].as<int64_t>());
  rec.budget_ore = row["budget_ore"].as<int64_t>();
  rec.max_per_application_ore = row["max_per_application_ore"].as<int64_t>();
  absl::StatusOr<type::Date> start = StoredDate(row["funding_start"]);
  if (!start.ok()) return start.status();
  absl::StatusOr<type::Date> end = StoredDate(row["funding_end"]);
  if (!end.ok()) return end.status();
  rec.funding = Period{ToCivilDay(*start), ToCivilDay(*end)};
  rec.stored_state = row["state"].as<std::string>();
  rec.approved_total_ore = row["approved_total_ore"].as<int64_t>();
  rec.revision = row["revision"].as<int64_t>();

  v1::Call& c = rec.call;
  const pqxx::binarystring criteria(row["criteria"]);
  if (!c.ParseFromArray(criteria.data(), static_cast<int>(criteria.size()))) {
    return status::Internal("stored criteria are corrupt");
  }
  c.set_name(CallName(rec.call_id));
  c.set_programme(ProgrammeName(rec.programme_id));
  c.set_lanskod(rec.lanskod);
  c.set_title(row["title"].as<std::string>());
  c.set_description(row["description"].as<std::string>());
  api::SetTimestamp(rec.open_time, c.mutable_open_time());
  api::SetTimestamp(rec.close_time, c.mutable_close_time());
  c.mutable_budget()->set_ore(rec.budget_ore);
  c.mutable_max_amount_per_application()->set_ore(rec.max_per_application_ore);
  *c.mutable_funding_period()->mutable_start_date() = *start;
  *c.mutable_funding_period()->mutable_end_date() = *end;
  c.set_state(EffectiveCallState(rec.stored_state, rec.close_time, now));
  c.mutable_approved_total()->set_ore(rec.approved_total_ore);
  api::SetTimestampMicros(row["create_micros"].as<int64_t>(), c.mutable_create_time());
  api::SetTimestampMicros(row["update_micros"].as<int64_t>(), c.mutable_update_time());
  c.set_etag(api::EtagOf(rec.revision));
  return rec;
}

}  // namespace

absl::Status CallNotFound(int64_t call_id) {
  const std::string name = CallName(call_id);
  return status::NotFound("CALL_NOT_FOUND", absl::StrCat(name, " does not exist"),
                          {{"call", name}});
}

absl::StatusOr<std::optional<CallRecord>> CallRepository::Find(int64_t call_id, bool for_update,
                                                               absl::Time now) {
  pqxx::result r = tx_.exec_prepared(for_update ? "call_get_for_update" : "call_get", call_id);
  if (r.empty()) return std::optional<CallRecord>();
  absl::StatusOr<CallRecord> rec = CallFromRow(r[0], now);
  if (!rec.ok()) return rec.status();
  return std::optional<CallRecord>(*std::move(rec));
}

absl::StatusOr<std::optional<CallWithProgramme>> CallRepository::FindWithProgramme(int64_t call_id,
                                                                                   absl::Time now) {
  pqxx::result r = tx_.exec_prepared("call_get_with_programme", call_id);
  if (r.empty()) return std::optional<CallWithProgramme>();
  // The programme's columns come first, so names both views have resolve to the programme's in
  // the whole row and to the call's in the slice from call_id on.
  const pqxx::row row = r[0];
  absl::StatusOr<v1::Programme> programme = ProgrammeFromRow(row);
  if (!programme.ok()) return programme.status();
  absl::StatusOr<CallRecord> call =
      CallFromRow(row.slice(row.column_number("call_id"), row.size()), now);
  if (!call.ok()) return call.status();
  return std::optional<CallWithProgramme>(
      CallWithProgramme{.call = *std::move(call), .programme = *std::move(programme)});
}

int64_t CallRepository::Insert(std::string_view programme_id, std::string_view lanskod,
                               const v1::Call& call, absl::Time now) {
  pqxx::result r = tx_.exec_prepared(
      "call_insert", std::string(programme_id), std::string(lanskod), call.title(),
      call.description(), MicrosOf(call.open_time()), MicrosOf(call.close_time()),
      call.budget().ore(), call.max_amount_per_application().ore(),
      DateText(call.funding_period().start_date()), DateText(call.funding_period().end_date()),
      CriteriaBytes(call), api::ToMicros(now));
  return r[0]["call_id"].as<int64_t>();
}

void CallRepository::Update(int64_t call_id, const v1::Call& call, absl::Time now) {
  tx_.exec_prepared(
      "call_update", call_id, call.title(), call.description(), MicrosOf(call.open_time()),
      MicrosOf(call.close_time()), call.budget().ore(), call.max_amount_per_application().ore(),
      DateText(call.funding_period().start_date()), DateText(call.funding_period().end_date()),
      CriteriaBytes(call), api::ToMicros(now));
}

void CallRepository::SetState(int64_t call_id, std::string_view state, absl::Time now) {
  tx_.exec_prepared("call_set_state", call_id, std::string(state), api::ToMicros(now));
}

absl::StatusOr<std::vector<CallRecord>> CallRepository::List(
    const CallFilter& filter, const std::optional<CallPosition>& after, int limit, absl::Time now) {
  std::vector<CallRecord> out;
  const CallPosition position = after.value_or(CallPosition{});
  for (const pqxx::row& row :
       tx_.exec_prepared("call_list", filter.programme_id, filter.lanskod, filter.viewer_lan,
                         filter.effective_state, api::ToMicros(now), after.has_value(),
                         position.open_micros, position.call_id, limit)) {
    absl::StatusOr<CallRecord> rec = CallFromRow(row, now);
    if (!rec.ok()) return rec.status();
    out.push_back(*std::move(rec));
  }
  return out;
}

}  // namespace integration::grants
