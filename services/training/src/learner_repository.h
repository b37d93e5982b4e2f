// SQL of learners and the parts they are enrolled in.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "lansstyrelsen/integration/training/v1/resources.pb.h"

namespace integration::training {

namespace v1 = ::lansstyrelsen::integration::training::v1;

struct LearnerRow {
  std::string learner_id;
  std::string lanskod;
  std::vector<std::string> part_ids;  // in course order
  int64_t enrol_micros = 0;
  int64_t revision = 0;
  v1::Learner learner;  // every field set, etag included
};

// The locked learner (learner_lock).
struct LearnerLock {
  int64_t revision = 0;
  std::string lanskod;
};

// Runs the learner statements on the caller's transaction; libpqxx errors propagate to
// pg::Pool::Transact.
class LearnerRepository {
 public:
  // A transaction, or a nontransaction (pg::Pool::Autocommit) for reads of one statement.
  explicit LearnerRepository(pqxx::transaction_base& tx) : tx_(tx) {}

  absl::StatusOr<std::optional<LearnerRow>> Get(const std::string& learner_id);
  // Locks the learner row for the rest of the transaction; nullopt when there is none.
  std::optional<LearnerLock> Lock(const std::string& learner_id);
  // Inserts a learner with `learner`'s details, enrolled in `part_ids` (ids of existing
  // parts), and returns it as Get would; nullopt when the id is taken.
  absl::StatusOr<std::optional<LearnerRow>> Insert(const std::string& learner_id,
                                                   const v1::Learner& learner,
                                                   const std::string& lanskod,
                                                   const std::vector<std::string>& part_ids);
  void Update(const std::string& learner_id, const v1::Learner& learner,
              const std::string& lanskod);
  // Makes `part_ids` (validated ids) the learner's parts exactly.
  void SetParts(const std::string& learner_id, const std::vector<std::string>& part_ids);
  // The ids among `part_ids` (validated ids) that exist.
  std::vector<std::string> ExistingParts(const std::vector<std::string>& part_ids);
  // Learners of län `lanskod` (and kommun `kommunkod` unless empty) by enrolment, strictly
  // after `after` (enrolment time in µs, learner id), at most `limit`.
  absl::StatusOr<std::vector<LearnerRow>> List(
      const std::string& lanskod, const std::string& kommunkod,
      const std::optional<std::pair<int64_t, std::string>>& after, int limit);

 private:
  pqxx::transaction_base& tx_;
};

}  // namespace integration::training
