// SQL of amendments: reading one or a page of an application's amendments (its history of
// changes), finding the pending one, requesting, approving (with what it replaced), rejecting,
// and applying an approved amendment to the application. Runs on the caller's transaction;
// libpqxx errors propagate to pg::Pool::Transact.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"
#include "rules/values_rules.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

struct AmendmentRow {
  int64_t amendment_id = 0;
  int64_t application_id = 0;
  int64_t call_id = 0;
  v1::AmendmentState state = v1::AMENDMENT_STATE_UNSPECIFIED;
  std::string reason;
  std::optional<Period> new_period;
  std::optional<v1::BudgetPlan> new_budget;
  std::optional<Period> prev_period;
  std::optional<v1::BudgetPlan> prev_budget;
  std::string decision_comment;
  std::string decider;
  absl::Time create_time;
  std::optional<absl::Time> decide_time;
  int64_t revision = 0;

  // "calls/{call}/applications/{application}/amendments/{amendment}".
  std::string Name() const;
  v1::Amendment ToProto() const;
};

// What an approval replaced: only what the amendment changes is kept.
struct AmendmentPrevious {
  std::optional<Period> period;
  std::optional<v1::BudgetPlan> budget;
};

class AmendmentRepository {
 public:
  explicit AmendmentRepository(pqxx::work& tx) : tx_(tx) {}

  // With `lock`, the amendment row stays locked until the transaction ends.
  absl::StatusOr<std::optional<AmendmentRow>> Get(int64_t call_id, int64_t application_id,
                                                  int64_t amendment_id, bool lock);
  // Up to `limit` amendments of the application, oldest first, after id `after` (0: from the
  // start).
  absl::StatusOr<std::vector<AmendmentRow>> List(int64_t application_id, int64_t after, int limit);
  // The id of the application's REQUESTED amendment, if any.
  std::optional<int64_t> FindRequested(int64_t application_id);
  // Inserts a REQUESTED amendment and returns its id. A second REQUESTED one of the
  // application violates amendments_one_requested.
  int64_t Insert(int64_t application_id, const std::string& reason,
                 const std::optional<Period>& period, const std::optional<v1::BudgetPlan>& budget,
                 absl::Time create_time);
  void Approve(int64_t amendment_id, const AmendmentPrevious& previous, const std::string& comment,
               const std::string& decider, absl::Time decide_time);
  void Reject(int64_t amendment_id, const std::string& comment, const std::string& decider,
              absl::Time decide_time);
  // Writes the new period and/or budget into the application and bumps its revision.
  void ApplyToApplication(int64_t application_id, const std::optional<Period>& period,
                          const std::optional<v1::BudgetPlan>& budget, absl::Time update_time);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::grants
