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
    r.id = row[0].as<int64_t>();
    api::SetTimestampMicros(row[1].as<int64_t>(), r.event.mutable_event_time());
    r.event.set_actor(row[2].as<std::string>());
    r.event.set_role(row[3].as<std::string>());
    r.event.set_action(row[4].as<std::string>());
    r.event.set_resource(row[5].as<std::string>());
    r.event.set_request_id(row[6].as<std::string>());
    r.event.set_detail(row[7].as<std::string>());
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace integration::grants
