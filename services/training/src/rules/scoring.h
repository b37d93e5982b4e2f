// Scoring of a submitted quiz attempt against the questions it was served.
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/repeated_field.h"
#include "lansstyrelsen/integration/training/v1/resources.pb.h"
#include "rules/quiz_draw.h"

namespace integration::training {

namespace v1 = ::lansstyrelsen::integration::training::v1;

// ErrorInfo reasons of rejected answers (all INVALID_ARGUMENT, with a field violation on
// "answers[i].question_id", "answers[i].option_ids" or "answers[i].option_ids[j]").
inline constexpr std::string_view kReasonQuestionNotInAttempt = "QUESTION_NOT_IN_ATTEMPT";
inline constexpr std::string_view kReasonQuestionAnsweredTwice = "QUESTION_ANSWERED_TWICE";
inline constexpr std::string_view kReasonNoOptionChosen = "NO_OPTION_CHOSEN";
inline constexpr std::string_view kReasonOptionNotInQuestion = "OPTION_NOT_IN_QUESTION";
inline constexpr std::string_view kReasonOptionChosenTwice = "OPTION_CHOSEN_TWICE";
inline constexpr std::string_view kReasonTooManyOptions = "TOO_MANY_OPTIONS";

struct ScoreResult {
  // Questions answered right * 100 / questions served, rounded down.
  int score_percent = 0;
  // One per served question, in served order; unanswered questions are not correct.
  std::vector<v1::QuestionResult> results;
  // score_percent >= the pass mark.
  bool passed = false;
};

// Scores `answers` against the served snapshot. A question is right only when the chosen set
// of options equals its set of correct options (all-or-nothing); an unanswered question is
// wrong. The first bad answer (in request order) rejects the whole submission, so nothing is
// recorded for a request the learner has to correct:
//   QUESTION_NOT_IN_ATTEMPT  answers[i].question_id is not a served question
//   QUESTION_ANSWERED_TWICE  a second answer to the same question
//   NO_OPTION_CHOSEN         answers[i].option_ids is empty
//   OPTION_NOT_IN_QUESTION   answers[i].option_ids[j] is not an option of that question
//                            (also when it is an option of another question)
//   OPTION_CHOSEN_TWICE      answers[i].option_ids[j] repeats an option of the same answer
//   TOO_MANY_OPTIONS         more than one option for a single-answer question
// INTERNAL for an empty snapshot (a stored attempt always has questions).
absl::StatusOr<ScoreResult> Score(const QuizSnapshot& snapshot,
                                  const google::protobuf::RepeatedPtrField<v1::Answer>& answers,
                                  int pass_mark_percent);

}  // namespace integration::training
