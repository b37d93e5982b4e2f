// The audit trail of an application in PostgreSQL (sql/queries/audit_list.sql).
#include "audit_repository.h"

#include <string_view>

#include "absl/strings/str_cat.h"
#include "integration/api/handler.h"
#include "rules/audit_rules.h"

namespace integration::grants {

namespace {

// The `only` argument of audit_list.sql: "" for every action, else the actions joined by ','.
std::string ActionFilter(bool applicant_view) {
  std::string joined;
  if (!applicant_view) return joined;
  for (std::string_view action : ApplicantVisibleActions()) {
    if (!joined.empty()) joined += ',';
    joined.append(action);
  }
  return joined;
}

}  // namespace

std::vector<AuditRow> AuditRepository::ListUnder(const std::string& resource, int64_t after,
                                                 int limit, bool applicant_view) {
  // The trailing '/' keeps calls/1/applications/2 from matching calls/1/applications/23.
  const pqxx::result result = tx_.exec_prepared(
      "audit_list", resource, absl::StrCat(resource, "/%"), after, static_cast<int64_t>(limit),
      ActionFilter(applicant_view));
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
