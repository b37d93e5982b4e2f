// Settlement quotas, their revisions and settlement assignments in PostgreSQL (the SQL of
// sql/queries/settlement_*.sql). Used inside a pg::Pool transaction; libpqxx exceptions
// propagate to Pool::Transact.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/placement/v1/resources.pb.h"
#include "rules/settlement_rules.h"

namespace integration::placement {

namespace v1 = ::lansstyrelsen::integration::placement::v1;

// What a new revision writes.
struct QuotaRevision {
  int revision = 0;
  v1::SettlementRevisionKind kind = v1::SETTLEMENT_REVISION_KIND_UNSPECIFIED;
  int county_number = 0;
  std::map<std::string, int> kommun_numbers;  // KOMMUN_NUMBERS only
  v1::SettlementBasis basis;                  // KOMMUN_NUMBERS only
  std::string reason;
  std::string actor;
};

// A stored assignment: the resource (its state as of the day it was read for) and its county.
struct SettlementAssignmentRecord {
  int64_t assignment_id = 0;
  std::string lanskod;
  absl::CivilDay assignment_date;
  v1::SettlementAssignment assignment;
};

// One assignment the overdue check marked.
struct OverdueMark {
  int64_t assignment_id = 0;
  std::string kommunkod;
  int persons = 0;
  absl::CivilDay due_date;
};

class SettlementRepository {
 public:
  explicit SettlementRepository(pqxx::work& tx) : tx_(tx) {}

  // --- Quotas ---
  // The quota with its latest decision, or nullopt.
  absl::StatusOr<std::optional<v1::SettlementQuota>> GetQuota(std::string_view lanskod, int year);
  // Locks the quota; its current revision, or nullopt when there is none.
  std::optional<int> LockQuota(std::string_view lanskod, int year);
  // Inserts the quota at revision 1 with `county_number`; false when it exists (a concurrent
  // insert is waited for).
  bool InsertQuota(std::string_view lanskod, int year, int county_number, absl::Time now);
  // Writes `revision` and moves the quota to it: a county number revision leaves the last
  // decision's numbers and sets the state COUNTY_NUMBER_SET; a decision sets
  // KOMMUN_NUMBERS_DECIDED.
  absl::Status AddRevision(std::string_view lanskod, int year, const QuotaRevision& revision,
                           absl::Time now, bool first);
  // The quota's revisions after `after`, at most `limit`, oldest first.
  absl::StatusOr<std::vector<v1::SettlementQuotaRevision>> ListRevisions(std::string_view lanskod,
                                                                         int year, int after,
                                                                         int limit);

  // --- Assignments ---
  // The new assignment's id, or nullopt when the household was reported already.
  std::optional<int64_t> InsertAssignment(const CheckedSettlementAssignment& a, absl::Time now);
  std::optional<int64_t> FindByHousehold(std::string_view household_reference);
  // The assignment with its state on `today`, or nullopt.
  absl::StatusOr<std::optional<SettlementAssignmentRecord>> GetAssignment(int64_t id,
                                                                          absl::CivilDay today);
  // Locks the assignment; false when there is none.
  bool LockAssignment(int64_t id);
  void RecordReception(int64_t id, absl::CivilDay reception_date, absl::Time now);
  // Assignments by id after `after_id`, at most `limit`: of county `lanskod` and kommun
  // `kommunkod` ("" = any), of assignment year `year` (0 = any), in `state` on `today`
  // (UNSPECIFIED = any).
  absl::StatusOr<std::vector<SettlementAssignmentRecord>> ListAssignments(
      std::string_view lanskod, std::string_view kommunkod, int year, v1::SettlementState state,
      absl::CivilDay today, int64_t after_id, int limit);
  // County `lanskod`'s assignments of `year` per kommun (only `kommunkod`'s when not ""), in
  // persons, overdue as of `today`.
  std::map<std::string, SettlementCounts> FollowUpCounts(std::string_view lanskod, int year,
                                                         std::string_view kommunkod,
                                                         absl::CivilDay today);

  // The follow-up of county `lanskod` for `year` as of `today` (BuildSettlementFollowUp over
  // the quota's decided numbers and the assignments; `only_kommun`'s row alone when given).
  absl::StatusOr<v1::SettlementFollowUp> FollowUp(std::string_view lanskod, int year,
                                                  std::string_view only_kommun,
                                                  absl::CivilDay today);

  // --- The overdue check ---
  // The transaction-scoped advisory lock of the check: false when another replica holds it.
  bool TryLockOverdueCheck();
  // Marks at most `limit` unreceived assignments whose due date is before `today` and whose
  // event was not raised; the marked ones.
  absl::StatusOr<std::vector<OverdueMark>> MarkOverdue(absl::CivilDay today, absl::Time now,
                                                       int limit);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::placement
