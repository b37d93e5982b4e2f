// SQL of the audit trail of one application: the audit_log rows of the application and of
// everything below its name, oldest first. Runs on the caller's transaction.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "lansstyrelsen/integration/grants/v1/resources.pb.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

struct AuditRow {
  int64_t id = 0;
  v1::AuditEvent event;
};

class AuditRepository {
 public:
  explicit AuditRepository(pqxx::work& tx) : tx_(tx) {}

  // Up to `limit` events of `resource` (an application's name) and of the names below it,
  // after audit id `after` (0: from the start). `applicant_view`: only the actions an
  // applicant may see (rules/audit_rules.h).
  std::vector<AuditRow> ListUnder(const std::string& resource, int64_t after, int limit,
                                  bool applicant_view);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::grants
