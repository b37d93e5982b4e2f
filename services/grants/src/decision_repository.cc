// Decisions in PostgreSQL.
#include "decision_repository.h"

#include "integration/api/handler.h"
#include "rules/values_rules.h"

namespace integration::grants {

void DecisionRepository::AddApproved(int64_t call_id, int64_t approval_ore, absl::Time now) {
  tx_.exec_prepared0("decision_add_approved", call_id, approval_ore, api::ToMicros(now));
}

bool DecisionRepository::Apply(int64_t application_id, const std::string& outcome,
                               int64_t approved_ore, const std::string& conditions,
                               const std::string& decider, absl::Time now) {
  return !tx_.exec_prepared("decision_apply", application_id, outcome, approved_ore, conditions,
                            decider, api::ToMicros(now))
              .empty();
}

void DecisionRepository::InsertReport(int64_t application_id, const std::string& lanskod,
                                      const std::string& report_type, absl::CivilDay due) {
  tx_.exec_prepared0("decision_insert_report", application_id, lanskod, report_type, DayText(due));
}

}  // namespace integration::grants
