// The audit trail of an application in PostgreSQL (sql/queries/audit_list.sql).
#include "audit_repository.h"

#include "absl/strings/str_cat.h"
#include "integration/api/handler.h"

namespace integration::grants {

std::vector<AuditRow> AuditRepository::ListUnder(const std::string& resource, int64_t after,
                                                 int limit) {
  // The trailing '/' keeps calls/1/applications/2 from matching calls/1/applications/23.
  const pqxx::result result = tx_.exec_prepared(
      "audit_list", resource, absl::StrCat(resource, "/%"), after, static_cast<int64_t>(limit));
  std::vector<AuditRow> out;
  out.reserve(result.size());
  for (const pqxx::row& row : result) {
    AuditRow r;
    r.id = row["id"].as<int64_t>();
    api::SetTimestampMicros(row["occurred_micros"].as<int64_t>(), r.event.mutable_event_time());
    r.event.set_actor(row["actor"].as<std::string>());
    r.event.set_role(row["role"].as<std::string>());
    r.event.set_action(row["action"].as<std::string>());
    r.event.set_resource(row["resource"].as<std::string>());
    r.event.set_request_id(row["request_id"].as<std::string>());
    r.event.set_detail(row["detail"].as<std::string>());
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace integration::grants
