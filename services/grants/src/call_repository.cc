// Calls in PostgreSQL: the SQL of sql/queries/call_*.sql.
#include "call_repository.h"

#include <utility>

#include "integration/api/handler.h"
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

}  // namespace

int64_t CallRepository::Insert(std::string_view programme_id, std::string_view lanskod,
                               const v1::Call& call, absl::Time now) {
  pqxx::result r = tx_.exec_prepared(
      "call_insert", std::string(programme_id), std::string(lanskod), call.title(),
      call.description(), MicrosOf(call.open_time()), MicrosOf(call.close_time()),
      call.budget().ore(), call.max_amount_per_application().ore(),
      DateText(call.funding_period().start_date()), DateText(call.funding_period().end_date()),
      CriteriaBytes(call), api::ToMicros(now));
  return r[0][0].as<int64_t>();
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
