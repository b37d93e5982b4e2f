// Unit tests for drawing attempts and for the answer-free served view.
#include "rules/quiz_draw.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "integration/status/status.h"

namespace integration::training {
namespace {

// A quiz of `count` questions "q1".."qN" with 4 options each; the correct one varies.
v1::Quiz MakeQuiz(int count, int per_attempt) {
  v1::Quiz quiz;
  for (int i = 1; i <= count; ++i) {
    v1::QuizQuestion* question = quiz.add_questions();
    question->set_question_id("q" + std::to_string(i));
    question->set_text("Fråga " + std::to_string(i));
    question->set_kind(i % 2 == 0 ? v1::QUESTION_KIND_MULTIPLE_ANSWER
                                  : v1::QUESTION_KIND_SINGLE_ANSWER);
    for (int j = 0; j < 4; ++j) {
      v1::QuizOption* option = question->add_options();
      option->set_option_id(std::string(1, static_cast<char>('a' + j)));
      option->set_text("Svar " + std::to_string(j) + " på fråga " + std::to_string(i));
      option->set_correct(j == i % 4 || (i % 2 == 0 && j == (i + 1) % 4));
    }
  }
  quiz.set_questions_per_attempt(per_attempt);
  quiz.set_pass_mark_percent(80);
  return quiz;
}

const v1::QuizQuestion* FindQuestion(const v1::Quiz& quiz, const std::string& id) {
  for (const auto& question : quiz.questions()) {
    if (question.question_id() == id) return &question;
  }
  return nullptr;
}

using OptionKey = std::tuple<std::string, std::string, bool>;

std::vector<OptionKey> SortedOptions(const v1::QuizQuestion& question) {
  std::vector<OptionKey> keys;
  for (const auto& option : question.options()) {
    keys.emplace_back(option.option_id(), option.text(), option.correct());
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

TEST(DrawTest, DrawsAllQuestionsInOrderWhenPerAttemptIsZero) {
  v1::Quiz quiz = MakeQuiz(7, 0);
  std::mt19937_64 rng(1);
  QuizSnapshot snapshot = Draw(quiz, rng);
  ASSERT_EQ(snapshot.size(), 7u);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(snapshot[i].question_id(), quiz.questions(i).question_id());
}

TEST(DrawTest, DrawsASubsetOfDistinctQuizQuestionsKeepingTheirOrder) {
  v1::Quiz quiz = MakeQuiz(10, 3);
  std::mt19937_64 rng(2);
  for (int round = 0; round < 50; ++round) {
    QuizSnapshot snapshot = Draw(quiz, rng);
    ASSERT_EQ(snapshot.size(), 3u);
    int last_index = 0;
    std::set<std::string> ids;
    for (const auto& question : snapshot) {
      const v1::QuizQuestion* original = FindQuestion(quiz, question.question_id());
      ASSERT_NE(original, nullptr) << question.question_id();
      EXPECT_EQ(question.text(), original->text());
      EXPECT_EQ(question.kind(), original->kind());
      int index = std::stoi(question.question_id().substr(1));
      EXPECT_GT(index, last_index);
      last_index = index;
      ids.insert(question.question_id());
    }
    EXPECT_EQ(ids.size(), 3u);
  }
}

TEST(DrawTest, OptionsAreAPermutationWithCorrectnessKept) {
  v1::Quiz quiz = MakeQuiz(6, 0);
  std::mt19937_64 rng(3);
  QuizSnapshot snapshot = Draw(quiz, rng);
  for (const auto& question : snapshot) {
    EXPECT_EQ(SortedOptions(question), SortedOptions(*FindQuestion(quiz, question.question_id())));
  }
}

TEST(DrawTest, EveryQuestionAndManyOptionOrdersOccur) {
  v1::Quiz quiz = MakeQuiz(10, 2);
  std::mt19937_64 rng(4);
  std::map<std::string, int> drawn;
  std::set<std::string> first_question_orders;
  for (int round = 0; round < 400; ++round) {
    for (const auto& question : Draw(quiz, rng)) {
      ++drawn[question.question_id()];
      if (question.question_id() == "q1") {
        std::string order;
        for (const auto& option : question.options()) order += option.option_id();
        first_question_orders.insert(order);
      }
    }
  }
  EXPECT_EQ(drawn.size(), 10u);
  for (const auto& [id, times] : drawn) EXPECT_GT(times, 30) << id;  // expected 80 each
  EXPECT_GT(first_question_orders.size(), 12u);                      // of 24 orders
}

TEST(DrawTest, PerAttemptAboveTheCountDrawsAll) {
  v1::Quiz quiz = MakeQuiz(3, 9);
  std::mt19937_64 rng(5);
  EXPECT_EQ(Draw(quiz, rng).size(), 3u);
}

TEST(DrawTest, SeededEnginesDiffer) {
  absl::StatusOr<std::mt19937_64> a = NewSeededEngine();
  absl::StatusOr<std::mt19937_64> b = NewSeededEngine();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE((*a)(), (*b)());  // equal with probability 2^-64
}

TEST(ServedTest, CarriesIdsTextsAndKindsInServedOrder) {
  v1::Quiz quiz = MakeQuiz(4, 0);
  std::mt19937_64 rng(6);
  QuizSnapshot snapshot = Draw(quiz, rng);
  auto served = ToServed(snapshot);
  ASSERT_EQ(served.size(), 4);
  for (int i = 0; i < served.size(); ++i) {
    EXPECT_EQ(served[i].question_id(), snapshot[i].question_id());
    EXPECT_EQ(served[i].text(), snapshot[i].text());
    EXPECT_EQ(served[i].kind(), snapshot[i].kind());
    ASSERT_EQ(served[i].options_size(), snapshot[i].options_size());
    for (int j = 0; j < served[i].options_size(); ++j) {
      EXPECT_EQ(served[i].options(j).option_id(), snapshot[i].options(j).option_id());
      EXPECT_EQ(served[i].options(j).text(), snapshot[i].options(j).text());
    }
  }
}

// No message reachable from ServedQuestion has a field that could hold correctness.
void ExpectNoCorrectnessField(const google::protobuf::Descriptor* descriptor,
                              std::set<const google::protobuf::Descriptor*>& seen) {
  if (!seen.insert(descriptor).second) return;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    EXPECT_EQ(field->name().find("correct"), std::string::npos)
        << descriptor->full_name() << "." << field->name();
    EXPECT_NE(field->type(), google::protobuf::FieldDescriptor::TYPE_BOOL)
        << descriptor->full_name() << "." << field->name();
    if (field->message_type() != nullptr) ExpectNoCorrectnessField(field->message_type(), seen);
  }
}

TEST(ServedTest, ServedMessagesHaveNoFieldForCorrectness) {
  std::set<const google::protobuf::Descriptor*> seen;
  ExpectNoCorrectnessField(v1::ServedQuestion::descriptor(), seen);
  EXPECT_TRUE(seen.contains(v1::ServedOption::descriptor()));
}

TEST(ServedTest, TheServedBytesAndJsonRevealNoCorrectOption) {
  v1::Quiz quiz = MakeQuiz(8, 0);
  std::mt19937_64 rng(7);
  auto served = ToServed(Draw(quiz, rng));
  for (const v1::ServedQuestion& question : served) {
    std::string json;
    ASSERT_TRUE(google::protobuf::util::MessageToJsonString(question, &json).ok());
    EXPECT_EQ(json.find("correct"), std::string::npos) << json;
    EXPECT_EQ(json.find("true"), std::string::npos) << json;

    // ServedQuestion shares field numbers with QuizQuestion (id, text, kind, options{id,
    // text}); read back as a QuizQuestion, the served bytes say no option is correct, while the
    // quiz has correct options for every question.
    v1::QuizQuestion as_quiz_question;
    ASSERT_TRUE(as_quiz_question.ParseFromString(question.SerializeAsString()));
    ASSERT_EQ(as_quiz_question.options_size(), 4);
    for (const auto& option : as_quiz_question.options()) EXPECT_FALSE(option.correct());
    int correct_in_quiz = 0;
    for (const auto& option : FindQuestion(quiz, question.question_id())->options()) {
      correct_in_quiz += option.correct() ? 1 : 0;
    }
    EXPECT_GE(correct_in_quiz, 1);
  }
}

TEST(SnapshotTest, SerialisesAndParsesBack) {
  v1::Quiz quiz = MakeQuiz(5, 3);
  std::mt19937_64 rng(8);
  QuizSnapshot snapshot = Draw(quiz, rng);
  absl::StatusOr<QuizSnapshot> back = ParseSnapshot(SerializeSnapshot(snapshot));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), snapshot.size());
  for (size_t i = 0; i < snapshot.size(); ++i) {
    EXPECT_EQ((*back)[i].SerializeAsString(), snapshot[i].SerializeAsString());
  }
  EXPECT_EQ(ParseSnapshot("\xff\xff\xff").status().code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace integration::training
