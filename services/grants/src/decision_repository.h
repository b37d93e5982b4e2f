// SQL of decisions: the call's approved total, the decided application, and the reports an
// approval creates. Runs on the caller's transaction; libpqxx errors propagate to
// pg::Pool::Transact.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace integration::grants {

class DecisionRepository {
 public:
  explicit DecisionRepository(pqxx::work& tx) : tx_(tx) {}

  // Adds `approval_ore` to the call's approved total; the caller holds the call's row lock
  // and checked the budget (the table's CHECK is the backstop).
  void AddApproved(int64_t call_id, int64_t approval_ore, absl::Time now);
  // SUBMITTED/UNDER_REVIEW → DECIDED with outcome ("APPROVED", "PARTIALLY_APPROVED",
  // "REJECTED"), approved amount, conditions and decider; false when in another state.
  bool Apply(int64_t application_id, const std::string& outcome, int64_t approved_ore,
             const std::string& conditions, const std::string& decider, absl::Time now);
  // A DUE report of type `report_type` ("FINAL", ...) due on `due`; one per type.
  void InsertReport(int64_t application_id, const std::string& lanskod,
                    const std::string& report_type, absl::CivilDay due);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::grants
