// Quiz attempts in PostgreSQL: the snapshot and results as serialized messages.
#include "attempt_repository.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "integration/status/status.h"
#include "service_util.h"

namespace integration::training {
namespace {

absl::StatusOr<v1::AttemptState> ParseState(const std::string& state) {
  if (state == "IN_PROGRESS") return v1::ATTEMPT_STATE_IN_PROGRESS;
  if (state == "SUBMITTED") return v1::ATTEMPT_STATE_SUBMITTED;
  if (state == "EXPIRED") return v1::ATTEMPT_STATE_EXPIRED;
  return status::Internal(absl::StrCat("unknown attempt state ", state));
}

// Reads a row with the columns of attempt_row (by name).
absl::StatusOr<AttemptRow> ToAttemptRow(const pqxx::row& row) {
  AttemptRow out;
  out.attempt_id = row["attempt_id"].as<int64_t>();
  out.learner_id = row["learner_id"].as<std::string>();
  out.part_id = row["part_id"].as<std::string>();
  out.module_id = row["module_id"].as<std::string>();
  out.quiz_version = row["quiz_version"].as<int>();
  out.attempt_number = row["attempt_number"].as<int>();
  absl::StatusOr<QuizSnapshot> snapshot = ParseSnapshot(pqxx::binarystring(row["snapshot"]).str());
  if (!snapshot.ok()) return snapshot.status();
  out.snapshot = *std::move(snapshot);
  out.pass_mark_percent = row["pass_mark_percent"].as<int>();
  absl::StatusOr<v1::AttemptState> state = ParseState(row["state"].as<std::string>());
  if (!state.ok()) return state.status();
  out.state = *state;
  out.start_time = FromMicros(row["start_micros"].as<int64_t>());
  out.expire_time = FromMicros(row["expire_micros"].as<int64_t>());
  if (!row["submit_micros"].is_null())
    out.submit_time = FromMicros(row["submit_micros"].as<int64_t>());
  if (!row["score_percent"].is_null()) out.score_percent = row["score_percent"].as<int>();
  if (!row["passed"].is_null()) out.passed = row["passed"].as<bool>();
  if (!row["results"].is_null()) {
    // An Attempt message holding only `results`.
    v1::Attempt holder;
    if (!holder.ParseFromString(pqxx::binarystring(row["results"]).str())) {
      return status::Internal(
          absl::StrCat("stored results of attempt ", out.attempt_id, " are corrupt"));
    }
    out.results.assign(holder.results().begin(), holder.results().end());
  }
  return out;
}

absl::StatusOr<std::vector<AttemptRow>> ToAttemptRows(const pqxx::result& r) {
  std::vector<AttemptRow> out;
  for (const pqxx::row& row : r) {
    absl::StatusOr<AttemptRow> a = ToAttemptRow(row);
    if (!a.ok()) return a.status();
    out.push_back(*std::move(a));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::pair<std::optional<ModuleForAttempt>, AttemptHistory>>
AttemptRepository::StartFacts(const std::string& learner_id, const std::string& part_id,
                              const std::string& module_id) {
  const pqxx::row row = tx_.exec_prepared1("attempt_start_facts", learner_id, part_id, module_id);
  AttemptHistory history;
  history.attempts_used = row["attempts_used"].as<int>();
  history.passed = row["passed"].as<bool>();
  if (!row["last_failed_submit_micros"].is_null()) {
    history.last_failed_submit_time = FromMicros(row["last_failed_submit_micros"].as<int64_t>());
  }
  if (!row["module_found"].as<bool>()) return std::make_pair(std::nullopt, history);
  ModuleForAttempt module;
  module.published = row["published"].as<bool>();
  module.archived = row["archived"].as<bool>();
  if (!row["quiz_version"].is_null()) module.quiz_version = row["quiz_version"].as<int>();
  if (!row["quiz"].is_null()) {
    v1::Quiz quiz;
    if (!quiz.ParseFromString(pqxx::binarystring(row["quiz"]).str())) {
      return status::Internal(
          absl::StrCat("stored quiz of ", part_id, "/", module_id, " is corrupt"));
    }
    module.quiz = std::move(quiz);
  }
  return std::make_pair(std::optional<ModuleForAttempt>(std::move(module)), history);
}

int64_t AttemptRepository::Insert(const AttemptRow& row) {
  return tx_
      .exec_prepared1("attempt_insert", row.learner_id, row.part_id, row.module_id,
                      row.quiz_version, row.attempt_number,
                      pqxx::binarystring(SerializeSnapshot(row.snapshot)), row.pass_mark_percent,
                      ToMicros(row.start_time), ToMicros(row.expire_time))["attempt_id"]
      .as<int64_t>();
}

absl::StatusOr<std::optional<AttemptRow>> AttemptRepository::Get(const std::string& learner_id,
                                                                 int64_t attempt_id, bool lock) {
  pqxx::result r = tx_.exec_prepared(lock ? "attempt_lock" : "attempt_get", learner_id, attempt_id);
  if (r.empty()) return std::optional<AttemptRow>();
  absl::StatusOr<AttemptRow> row = ToAttemptRow(r[0]);
  if (!row.ok()) return row.status();
  return std::optional<AttemptRow>(*std::move(row));
}

absl::StatusOr<std::vector<AttemptRow>> AttemptRepository::List(const std::string& learner_id,
                                                                std::optional<int64_t> before,
                                                                int limit) {
  return ToAttemptRows(
      tx_.exec_prepared("attempt_list", learner_id, before.has_value(), before.value_or(0), limit));
}

void AttemptRepository::Expire(int64_t attempt_id) {
  tx_.exec_prepared0("attempt_expire", attempt_id);
}

absl::StatusOr<std::optional<SubmittedAttempt>> AttemptRepository::Submit(
    int64_t attempt_id, absl::Time submit_time, const ScoreResult& score) {
  v1::Attempt holder;
  for (const v1::QuestionResult& r : score.results) *holder.add_results() = r;
  const pqxx::result r =
      tx_.exec_prepared("attempt_submit", attempt_id, ToMicros(submit_time), score.score_percent,
                        score.passed, pqxx::binarystring(holder.SerializeAsString()));
  if (r.empty()) return std::optional<SubmittedAttempt>();
  absl::StatusOr<AttemptRow> row = ToAttemptRow(r[0]);
  if (!row.ok()) return row.status();
  return std::optional<SubmittedAttempt>(
      SubmittedAttempt{.row = *std::move(row), .passed_before = r[0]["passed_before"].as<bool>()});
}

absl::StatusOr<std::vector<ProgressRow>> AttemptRepository::Progress(
    const std::string& learner_id) {
  std::vector<ProgressRow> out;
  for (const pqxx::row& row : tx_.exec_prepared("attempt_progress", learner_id)) {
    ProgressRow p;
    p.part_id = row["part_id"].as<std::string>();
    p.part_title = row["part_title"].as<std::string>();
    if (!row["module_id"].is_null()) {
      p.module_id = row["module_id"].as<std::string>();
      p.module_title = row["module_title"].as<std::string>();
    }
    p.attempts_used = row["attempts_used"].as<int>();
    p.passed = row["passed"].as<bool>();
    p.best_score_percent = row["best_score_percent"].as<int>();
    if (!row["pass_micros"].is_null()) p.pass_time = FromMicros(row["pass_micros"].as<int64_t>());
    if (!row["quiz"].is_null()) {
      v1::Quiz quiz;
      if (!quiz.ParseFromString(pqxx::binarystring(row["quiz"]).str())) {
        return status::Internal(
            absl::StrCat("stored quiz of ", p.part_id, "/", p.module_id, " is corrupt"));
      }
      p.max_attempts = quiz.max_attempts();
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace integration::training
