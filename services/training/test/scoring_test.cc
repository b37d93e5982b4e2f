// Unit tests for scoring: all-or-nothing per question, rounding, and every rejected answer.
#include "rules/scoring.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/status/status.h"

namespace integration::training {
namespace {

using ::testing::ElementsAre;

std::string Reason(const absl::Status& status) {
  auto info = integration::status::GetErrorInfo(status);
  return info ? info->reason() : "";
}

std::vector<std::string> Fields(const absl::Status& status) {
  std::vector<std::string> fields;
  if (auto bad = integration::status::GetBadRequest(status)) {
    for (const auto& violation : bad->field_violations()) fields.push_back(violation.field());
  }
  return fields;
}

v1::QuizQuestion Question(std::string id, v1::QuestionKind kind,
                          std::vector<std::pair<std::string, bool>> options) {
  v1::QuizQuestion question;
  question.set_question_id(std::move(id));
  question.set_text("Fråga");
  question.set_kind(kind);
  for (auto& [option_id, correct] : options) {
    v1::QuizOption* option = question.add_options();
    option->set_option_id(option_id);
    option->set_text("Svar " + option_id);
    option->set_correct(correct);
  }
  return question;
}

// Served order q1..q4; option ids differ between questions so that "an option of another
// question" can be tested.
QuizSnapshot Snapshot() {
  return {
      Question("q1", v1::QUESTION_KIND_SINGLE_ANSWER, {{"c", false}, {"a", true}, {"b", false}}),
      Question("q2", v1::QUESTION_KIND_MULTIPLE_ANSWER, {{"d", true}, {"f", false}, {"e", true}}),
      Question("q3", v1::QUESTION_KIND_SINGLE_ANSWER, {{"g", false}, {"h", true}}),
      Question("q4", v1::QUESTION_KIND_MULTIPLE_ANSWER, {{"i", false}, {"j", false}, {"k", true}}),
  };
}

using Answers = google::protobuf::RepeatedPtrField<v1::Answer>;

Answers Make(std::vector<std::pair<std::string, std::vector<std::string>>> answers) {
  Answers out;
  for (auto& [question_id, option_ids] : answers) {
    v1::Answer* answer = out.Add();
    answer->set_question_id(question_id);
    for (auto& id : option_ids) answer->add_option_ids(id);
  }
  return out;
}

std::vector<bool> Correct(const ScoreResult& result) {
  std::vector<bool> flags;
  for (const auto& outcome : result.results) flags.push_back(outcome.correct());
  return flags;
}

std::vector<std::string> ResultIds(const ScoreResult& result) {
  std::vector<std::string> ids;
  for (const auto& outcome : result.results) ids.push_back(outcome.question_id());
  return ids;
}

TEST(ScoreTest, AllRightIs100) {
  absl::StatusOr<ScoreResult> result = Score(
      Snapshot(), Make({{"q1", {"a"}}, {"q2", {"e", "d"}}, {"q3", {"h"}}, {"q4", {"k"}}}), 100);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->score_percent, 100);
  EXPECT_TRUE(result->passed);
  EXPECT_THAT(Correct(*result), ElementsAre(true, true, true, true));
}

TEST(ScoreTest, PartialScoreAgainstThePassMark) {
  Answers answers = Make({{"q1", {"a"}}, {"q2", {"d", "e"}}, {"q3", {"g"}}, {"q4", {"k"}}});
  absl::StatusOr<ScoreResult> strict = Score(Snapshot(), answers, 80);
  ASSERT_TRUE(strict.ok());
  EXPECT_EQ(strict->score_percent, 75);
  EXPECT_FALSE(strict->passed);
  EXPECT_THAT(Correct(*strict), ElementsAre(true, true, false, true));
  EXPECT_TRUE(Score(Snapshot(), answers, 75)->passed);
}

TEST(ScoreTest, RoundsDown) {
  QuizSnapshot three = Snapshot();
  three.pop_back();
  EXPECT_EQ(Score(three, Make({{"q1", {"a"}}}), 50)->score_percent, 33);
  EXPECT_EQ(Score(three, Make({{"q1", {"a"}}, {"q3", {"h"}}}), 50)->score_percent, 66);
}

TEST(ScoreTest, MultipleAnswerIsAllOrNothing) {
  auto q2 = [](std::vector<std::string> chosen) -> bool {
    return Correct(*Score(Snapshot(), Make({{"q2", std::move(chosen)}}), 50))[1];
  };
  EXPECT_TRUE(q2({"d", "e"}));
  EXPECT_TRUE(q2({"e", "d"}));
  EXPECT_FALSE(q2({"d"}));            // one right option missing
  EXPECT_FALSE(q2({"d", "e", "f"}));  // a wrong one added
  EXPECT_FALSE(q2({"f"}));
}

TEST(ScoreTest, UnansweredQuestionsAreWrongAndResultsFollowServedOrder) {
  absl::StatusOr<ScoreResult> result = Score(Snapshot(), Make({{"q4", {"k"}}, {"q1", {"a"}}}), 50);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->score_percent, 50);
  EXPECT_TRUE(result->passed);
  EXPECT_THAT(ResultIds(*result), ElementsAre("q1", "q2", "q3", "q4"));
  EXPECT_THAT(Correct(*result), ElementsAre(true, false, false, true));

  absl::StatusOr<ScoreResult> none = Score(Snapshot(), Answers(), 1);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->score_percent, 0);
  EXPECT_FALSE(none->passed);
}

void ExpectRejected(const Answers& answers, std::string_view reason, std::string_view field) {
  absl::StatusOr<ScoreResult> result = Score(Snapshot(), answers, 50);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(result.status()), reason);
  EXPECT_THAT(Fields(result.status()), ElementsAre(std::string(field)));
}

TEST(ScoreRejectionTest, UnknownQuestion) {
  ExpectRejected(Make({{"q1", {"a"}}, {"q9", {"a"}}}), "QUESTION_NOT_IN_ATTEMPT",
                 "answers[1].question_id");
  ExpectRejected(Make({{"", {"a"}}}), "QUESTION_NOT_IN_ATTEMPT", "answers[0].question_id");
}

TEST(ScoreRejectionTest, OptionOfAnotherQuestionOrUnknown) {
  ExpectRejected(Make({{"q1", {"d"}}}), "OPTION_NOT_IN_QUESTION", "answers[0].option_ids[0]");
  ExpectRejected(Make({{"q2", {"d", "zz"}}}), "OPTION_NOT_IN_QUESTION", "answers[0].option_ids[1]");
}

TEST(ScoreRejectionTest, QuestionAnsweredTwice) {
  ExpectRejected(Make({{"q1", {"a"}}, {"q2", {"d"}}, {"q1", {"b"}}}), "QUESTION_ANSWERED_TWICE",
                 "answers[2].question_id");
}

TEST(ScoreRejectionTest, OptionListedTwice) {
  ExpectRejected(Make({{"q2", {"d", "d"}}}), "OPTION_CHOSEN_TWICE", "answers[0].option_ids[1]");
  ExpectRejected(Make({{"q1", {"a", "a"}}}), "OPTION_CHOSEN_TWICE", "answers[0].option_ids[1]");
}

TEST(ScoreRejectionTest, TooManyOptionsForASingleAnswerQuestion) {
  ExpectRejected(Make({{"q3", {"g", "h"}}}), "TOO_MANY_OPTIONS", "answers[0].option_ids");
}

TEST(ScoreRejectionTest, NoOptionChosen) {
  ExpectRejected(Make({{"q1", {"a"}}, {"q4", {}}}), "NO_OPTION_CHOSEN", "answers[1].option_ids");
}

TEST(ScoreRejectionTest, EmptySnapshotIsTheServicesFault) {
  EXPECT_EQ(Score({}, Answers(), 50).status().code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace integration::training
