// SQL of quiz attempts (with the snapshot of what was served) and of a learner's progress.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/training/v1/resources.pb.h"
#include "rules/quiz_draw.h"
#include "rules/scoring.h"

namespace integration::training {

namespace v1 = ::lansstyrelsen::integration::training::v1;

struct AttemptRow {
  int64_t attempt_id = 0;
  std::string learner_id;
  std::string part_id;
  std::string module_id;
  int quiz_version = 0;
  int attempt_number = 0;
  QuizSnapshot snapshot;  // with correctness: never leaves the service as is
  int pass_mark_percent = 0;
  v1::AttemptState state = v1::ATTEMPT_STATE_UNSPECIFIED;
  absl::Time start_time;
  absl::Time expire_time;
  std::optional<absl::Time> submit_time;
  int score_percent = 0;
  bool passed = false;
  std::vector<v1::QuestionResult> results;
};

// An attempt as its submission stored it.
struct SubmittedAttempt {
  AttemptRow row;
  bool passed_before = false;  // whether another attempt of the learner passed the module
};

// A module as StartAttempt sees it.
struct ModuleForAttempt {
  bool published = false;
  bool archived = false;  // the module or its part
  std::optional<int> quiz_version;
  std::optional<v1::Quiz> quiz;  // the current version, as stored (with correctness)
};

// A learner's attempts at one module so far.
struct AttemptHistory {
  int attempts_used = 0;
  bool passed = false;
  std::optional<absl::Time> last_failed_submit_time;
};

// One row of a learner's progress: a published module of an enrolled part, or a part without
// published modules (module_id empty).
struct ProgressRow {
  std::string part_id;
  std::string part_title;
  std::string module_id;
  std::string module_title;
  int attempts_used = 0;
  bool passed = false;
  int best_score_percent = 0;
  std::optional<absl::Time> pass_time;
  int max_attempts = 0;  // of the current quiz; 0 = unlimited
};

// Runs the attempt statements on the caller's transaction; libpqxx errors propagate to
// pg::Pool::Transact, corrupt stored messages are INTERNAL.
class AttemptRepository {
 public:
  explicit AttemptRepository(pqxx::work& tx) : tx_(tx) {}

  // Module `part_id`/`module_id` (nullopt when there is none) and learner `learner_id`'s
  // attempts at it, read together in one statement.
  absl::StatusOr<std::pair<std::optional<ModuleForAttempt>, AttemptHistory>> StartFacts(
      const std::string& learner_id, const std::string& part_id, const std::string& module_id);
  // Inserts `row` (attempt_id is ignored) and returns the new attempt id.
  int64_t Insert(const AttemptRow& row);
  // With `lock`, the row stays locked (FOR UPDATE) until the transaction ends.
  absl::StatusOr<std::optional<AttemptRow>> Get(const std::string& learner_id, int64_t attempt_id,
                                                bool lock);
  // Newest first, strictly before `before` when given, at most `limit`.
  absl::StatusOr<std::vector<AttemptRow>> List(const std::string& learner_id,
                                               std::optional<int64_t> before, int limit);
  void Expire(int64_t attempt_id);
  // Stores the scored submission; nullopt when there is no such attempt.
  absl::StatusOr<std::optional<SubmittedAttempt>> Submit(int64_t attempt_id, absl::Time submit_time,
                                                         const ScoreResult& score);
  absl::StatusOr<std::vector<ProgressRow>> Progress(const std::string& learner_id);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::training
