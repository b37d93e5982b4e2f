// All-or-nothing scoring of quiz answers, with a precise reason for every rejected answer.
#include "rules/scoring.h"

#include <map>
#include <set>
#include <string>

#include "integration/status/status.h"

namespace integration::training {
namespace {

std::string AnswerField(int i, std::string_view child) {
  return "answers[" + std::to_string(i) + "]." + std::string(child);
}

std::string OptionField(int i, int j) {
  return AnswerField(i, "option_ids") + "[" + std::to_string(j) + "]";
}

absl::Status Reject(std::string_view reason, const std::string& field, std::string description) {
  return integration::status::InvalidField(field, description, reason);
}

}  // namespace

absl::StatusOr<ScoreResult> Score(const QuizSnapshot& snapshot,
                                  const google::protobuf::RepeatedPtrField<v1::Answer>& answers,
                                  int pass_mark_percent) {
  if (snapshot.empty()) {
    return integration::status::Internal("attempt snapshot has no questions");
  }
  std::map<std::string_view, size_t> question_index;
  for (size_t q = 0; q < snapshot.size(); ++q) {
    question_index.emplace(snapshot[q].question_id(), q);
  }

  std::vector<bool> right(snapshot.size(), false);
  std::map<size_t, int> answered_by;  // question index -> answer index
  for (int i = 0; i < answers.size(); ++i) {
    const v1::Answer& answer = answers.Get(i);
    auto found = question_index.find(answer.question_id());
    if (found == question_index.end()) {
      return Reject(kReasonQuestionNotInAttempt, AnswerField(i, "question_id"),
                    "\"" + answer.question_id() + "\" is not a question of this attempt");
    }
    const size_t q = found->second;
    auto [previous, first_time] = answered_by.emplace(q, i);
    if (!first_time) {
      return Reject(kReasonQuestionAnsweredTwice, AnswerField(i, "question_id"),
                    "question \"" + answer.question_id() + "\" is already answered in answers[" +
                        std::to_string(previous->second) + "]");
    }
    const v1::QuizQuestion& question = snapshot[q];
    if (answer.option_ids().empty()) {
      return Reject(kReasonNoOptionChosen, AnswerField(i, "option_ids"),
                    "choose at least one option (or leave the question out)");
    }
    std::set<std::string_view> correct, chosen;
    std::set<std::string_view> known;
    for (const v1::QuizOption& option : question.options()) {
      known.insert(option.option_id());
      if (option.correct()) correct.insert(option.option_id());
    }
    for (int j = 0; j < answer.option_ids_size(); ++j) {
      const std::string& id = answer.option_ids(j);
      if (!known.contains(id)) {
        return Reject(
            kReasonOptionNotInQuestion, OptionField(i, j),
            "\"" + id + "\" is not an option of question \"" + answer.question_id() + "\"");
      }
      if (!chosen.insert(id).second) {
        return Reject(kReasonOptionChosenTwice, OptionField(i, j),
                      "option \"" + id + "\" is listed twice");
      }
    }
    if (question.kind() == v1::QUESTION_KIND_SINGLE_ANSWER && chosen.size() > 1) {
      return Reject(kReasonTooManyOptions, AnswerField(i, "option_ids"),
                    "question \"" + answer.question_id() + "\" takes exactly one option, " +
                        std::to_string(chosen.size()) + " were given");
    }
    right[q] = chosen == correct;
  }

  ScoreResult result;
  int right_count = 0;
  for (size_t q = 0; q < snapshot.size(); ++q) {
    v1::QuestionResult& outcome = result.results.emplace_back();
    outcome.set_question_id(snapshot[q].question_id());
    outcome.set_correct(right[q]);
    if (right[q]) ++right_count;
  }
  result.score_percent = static_cast<int>(static_cast<long long>(right_count) * 100 /
                                          static_cast<long long>(snapshot.size()));
  result.passed = result.score_percent >= pass_mark_percent;
  return result;
}

}  // namespace integration::training
