// Unit tests for ids, resource names and the validation of parts, modules and quizzes.
#include "rules/content_rules.h"

#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/status/status.h"

namespace integration::training {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

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

// ---- ids and names --------------------------------------------------------------------------

TEST(IdTest, AcceptsLowerCaseLettersDigitsAndDashes) {
  for (const std::string& id : std::vector<std::string>{
           "introduktion", "a", "0", "modul-1", "asyl-process-2026", std::string(40, 'x')}) {
    EXPECT_TRUE(IsValidId(id)) << id;
    EXPECT_TRUE(ValidateId(id, "part_id").ok()) << id;
  }
}

TEST(IdTest, RejectsEverythingElseNamingTheField) {
  for (const std::string& id :
       {std::string(), std::string(41, 'x'), std::string("Intro"), std::string("a_b"),
        std::string("a b"), std::string("a/b"), std::string("kulturkunskap\n"),
        std::string("öppen"), std::string("a.b")}) {
    SCOPED_TRACE(id);
    EXPECT_FALSE(IsValidId(id));
    absl::Status status = ValidateId(id, "module_id");
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Reason(status), "ID_INVALID");
    EXPECT_THAT(Fields(status), ElementsAre("module_id"));
  }
}

TEST(NameTest, FormatsNames) {
  EXPECT_EQ(PartName("introduktion"), "parts/introduktion");
  EXPECT_EQ(ModuleName("asylprocessen", "m-1"), "parts/asylprocessen/modules/m-1");
  EXPECT_EQ(QuizName("asylprocessen", "m-1"), "parts/asylprocessen/modules/m-1/quiz");
  EXPECT_EQ(LearnerName("dev-learner"), "learners/dev-learner");
  EXPECT_EQ(ProgressName("dev-learner"), "learners/dev-learner/progress");
  EXPECT_EQ(AttemptName("dev-learner", "a1"), "learners/dev-learner/attempts/a1");
  EXPECT_EQ(DiplomaName("dev-learner", "0123456789ABCDEFGHJKMNPQRS"),
            "learners/dev-learner/diplomas/0123456789ABCDEFGHJKMNPQRS");
}

TEST(NameTest, ParsesWhatItFormats) {
  EXPECT_EQ(ParsePartName(PartName("kulturkunskap"), "name").value(), "kulturkunskap");
  EXPECT_EQ(ParseModuleName(ModuleName("intro", "film-2"), "name").value(),
            (ModuleRef{"intro", "film-2"}));
  EXPECT_EQ(ParseQuizName(QuizName("intro", "film-2"), "quiz.name").value(),
            (ModuleRef{"intro", "film-2"}));
  EXPECT_EQ(ParseLearnerName(LearnerName("dev-learner"), "parent").value(), "dev-learner");
  EXPECT_EQ(ParseProgressName(ProgressName("l-1"), "name").value(), "l-1");
  EXPECT_EQ(ParseAttemptName(AttemptName("l-1", "9f1c"), "name").value(),
            (AttemptRef{"l-1", "9f1c"}));
  EXPECT_EQ(ParseDiplomaName(DiplomaName("l-1", "0123456789ABCDEFGHJKMNPQRS"), "name").value(),
            (DiplomaRef{"l-1", "0123456789ABCDEFGHJKMNPQRS"}));
}

TEST(NameTest, DiplomaNameNormalisesTheCode) {
  absl::StatusOr<DiplomaRef> ref =
      ParseDiplomaName("learners/l-1/diplomas/0123-4567-89ab-cdef-ghjk-mnpq-rs", "name");
  ASSERT_TRUE(ref.ok()) << ref.status();
  EXPECT_EQ(ref->code, "0123456789ABCDEFGHJKMNPQRS");
}

TEST(NameTest, RejectsMalformedNamesNamingTheField) {
  struct Case {
    absl::Status status;
    std::string field;
  };
  std::vector<Case> cases = {
      {ParsePartName("", "name").status(), "name"},
      {ParsePartName("parts", "name").status(), "name"},
      {ParsePartName("parts/", "name").status(), "name"},
      {ParsePartName("parts/intro/", "name").status(), "name"},
      {ParsePartName("part/intro", "name").status(), "name"},
      {ParsePartName("parts/Intro", "name").status(), "name"},
      {ParsePartName("/parts/intro", "name").status(), "name"},
      {ParsePartName("parts/intro/modules/a", "name").status(), "name"},
      {ParseModuleName("parts/intro", "parent").status(), "parent"},
      {ParseModuleName("parts//modules/a", "module").status(), "module"},
      {ParseModuleName("parts/intro/module/a", "module").status(), "module"},
      {ParseModuleName("parts/intro/modules/a/quiz", "module").status(), "module"},
      {ParseQuizName("parts/intro/modules/a", "quiz.name").status(), "quiz.name"},
      {ParseQuizName("parts/intro/modules/a/quizz", "quiz.name").status(), "quiz.name"},
      {ParseLearnerName("learners/", "parent").status(), "parent"},
      {ParseLearnerName("learners/a b", "parent").status(), "parent"},
      {ParseLearnerName("users/a", "learner.name").status(), "learner.name"},
      {ParseProgressName("learners/a", "name").status(), "name"},
      {ParseAttemptName("learners/a/attempts", "name").status(), "name"},
      {ParseAttemptName("learners/a/attempts/B", "name").status(), "name"},
      {ParseDiplomaName("learners/a/diplomas/short", "name").status(), "name"},
      {ParseDiplomaName("learners/a/diplomas/0123456789ABCDEFGHJKMNPQRU", "name").status(), "name"},
      {ParseDiplomaName("learners/A/diplomas/0123456789ABCDEFGHJKMNPQRS", "name").status(), "name"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(cases[i].status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Reason(cases[i].status), "RESOURCE_NAME_INVALID");
    EXPECT_THAT(Fields(cases[i].status), ElementsAre(cases[i].field));
  }
}

// ---- parts and modules ----------------------------------------------------------------------

TEST(PartTest, ChecksTitleDescriptionAndPosition) {
  v1::Part part;
  part.set_title("Asylprocessen");
  part.set_position(2);
  EXPECT_TRUE(ValidatePart(part).ok());
  part.set_position(0);  // append
  EXPECT_TRUE(ValidatePart(part).ok());

  part.set_title("  ");
  part.set_description(std::string(kMaxDescriptionBytes + 1, 'x'));
  part.set_position(-1);
  absl::Status status = ValidatePart(part);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(status), "PART_INVALID");
  EXPECT_THAT(Fields(status),
              UnorderedElementsAre("part.title", "part.description", "part.position"));
}

v1::Module GoodModule() {
  v1::Module module;
  module.set_title("Mottagandet i kommunen");
  module.set_position(1);
  v1::ContentItem* film = module.add_content();
  film->set_kind(v1::CONTENT_KIND_FILM);
  film->set_title("Film: första dagen");
  film->set_uri("https://video.example.se/film/1");
  film->set_duration_seconds(540);
  v1::ContentItem* lecture = module.add_content();
  lecture->set_kind(v1::CONTENT_KIND_LECTURE);
  lecture->set_title("Föreläsning");
  lecture->set_text("Text om mottagandet.");
  return module;
}

TEST(ModuleTest, AcceptsFilmsAndLectures) {
  EXPECT_TRUE(ValidateModule(GoodModule()).ok()) << ValidateModule(GoodModule());
  v1::Module module = GoodModule();
  module.mutable_content(1)->clear_text();
  module.mutable_content(1)->set_uri("HTTPS://example.se/forelasning?del=2#start");
  EXPECT_TRUE(ValidateModule(module).ok()) << ValidateModule(module);
  module.clear_content();  // content can be added later
  EXPECT_TRUE(ValidateModule(module).ok());
}

TEST(ModuleTest, RejectsEachBadContentItemField) {
  struct Case {
    const char* name;
    void (*edit)(v1::Module&);
    std::vector<std::string> fields;
  };
  const std::vector<Case> cases = {
      {"title", [](v1::Module& m) { m.set_title(""); }, {"module.title"}},
      {"position", [](v1::Module& m) { m.set_position(-2); }, {"module.position"}},
      {"kind",
       [](v1::Module& m) { m.mutable_content(0)->clear_kind(); },
       {"module.content[0].kind"}},
      {"item title",
       [](v1::Module& m) { m.mutable_content(1)->set_title(" "); },
       {"module.content[1].title"}},
      {"film without uri",
       [](v1::Module& m) { m.mutable_content(0)->clear_uri(); },
       {"module.content[0].uri"}},
      {"http film",
       [](v1::Module& m) { m.mutable_content(0)->set_uri("http://example.se/f"); },
       {"module.content[0].uri"}},
      {"uri with space",
       [](v1::Module& m) { m.mutable_content(0)->set_uri("https://example.se/a film"); },
       {"module.content[0].uri"}},
      {"uri without host",
       [](v1::Module& m) { m.mutable_content(0)->set_uri("https:///film"); },
       {"module.content[0].uri"}},
      {"javascript uri",
       [](v1::Module& m) { m.mutable_content(0)->set_uri("javascript:x"); },
       {"module.content[0].uri"}},
      {"lecture without uri or text",
       [](v1::Module& m) { m.mutable_content(1)->clear_text(); },
       {"module.content[1].uri"}},
      {"negative duration",
       [](v1::Module& m) { m.mutable_content(0)->set_duration_seconds(-1); },
       {"module.content[0].duration_seconds"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::Module module = GoodModule();
    c.edit(module);
    absl::Status status = ValidateModule(module);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Reason(status), "MODULE_INVALID");
    EXPECT_EQ(Fields(status), c.fields);
  }
}

TEST(ModuleTest, ReportsAllViolationsAtOnceUnderTheGivenField) {
  v1::Module module = GoodModule();
  module.set_title("");
  module.mutable_content(0)->clear_kind();
  module.mutable_content(0)->set_duration_seconds(-5);
  module.mutable_content(1)->clear_text();
  absl::Status status = ValidateModule(module, "m");
  EXPECT_THAT(Fields(status),
              UnorderedElementsAre("m.title", "m.content[0].kind", "m.content[0].duration_seconds",
                                   "m.content[1].uri"));
}

// ---- quizzes --------------------------------------------------------------------------------

v1::QuizQuestion Question(v1::QuestionKind kind, std::vector<std::pair<std::string, bool>> options,
                          std::string text = "Vilket påstående stämmer?") {
  v1::QuizQuestion question;
  question.set_text(std::move(text));
  question.set_kind(kind);
  for (auto& [option_text, correct] : options) {
    v1::QuizOption* option = question.add_options();
    option->set_text(option_text);
    option->set_correct(correct);
  }
  return question;
}

v1::Quiz GoodQuiz() {
  v1::Quiz quiz;
  quiz.set_name("parts/intro/modules/m1/quiz");
  *quiz.add_questions() =
      Question(v1::QUESTION_KIND_SINGLE_ANSWER,
               {{"Migrationsverket", true}, {"Skatteverket", false}}, "Vem prövar en asylansökan?");
  *quiz.add_questions() =
      Question(v1::QUESTION_KIND_MULTIPLE_ANSWER,
               {{"Svenska", true}, {"Samhällsorientering", true}, {"Praktik", false}},
               "Vad ingår i tidiga insatser?");
  *quiz.add_questions() =
      Question(v1::QUESTION_KIND_SINGLE_ANSWER, {{"Ja", false}, {"Nej", true}, {"Ibland", false}});
  quiz.set_pass_mark_percent(80);
  return quiz;
}

std::vector<std::string> QuizFields(const v1::Quiz& quiz) {
  absl::StatusOr<v1::Quiz> result = ValidateQuiz(quiz);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(result.status()), "QUIZ_INVALID");
  return Fields(result.status());
}

TEST(QuizTest, AcceptsAGoodQuizAndFillsInIdsAndDefaults) {
  absl::StatusOr<v1::Quiz> quiz = ValidateQuiz(GoodQuiz());
  ASSERT_TRUE(quiz.ok()) << quiz.status();
  EXPECT_EQ(quiz->name(), "parts/intro/modules/m1/quiz");
  ASSERT_EQ(quiz->questions_size(), 3);
  EXPECT_EQ(quiz->questions(0).question_id(), "q1");
  EXPECT_EQ(quiz->questions(1).question_id(), "q2");
  EXPECT_EQ(quiz->questions(2).question_id(), "q3");
  EXPECT_EQ(quiz->questions(1).options(0).option_id(), "a");
  EXPECT_EQ(quiz->questions(1).options(1).option_id(), "b");
  EXPECT_EQ(quiz->questions(1).options(2).option_id(), "c");
  EXPECT_TRUE(quiz->questions(1).options(1).correct());
  EXPECT_EQ(quiz->time_limit_seconds(), kDefaultTimeLimitSeconds);
  EXPECT_EQ(quiz->pass_mark_percent(), 80);
}

TEST(QuizTest, KeepsGivenIdsAndNeverGeneratesACollidingOne) {
  v1::Quiz quiz = GoodQuiz();
  quiz.mutable_questions(1)->set_question_id("q1");  // taken by the 2nd, the 1st needs another
  quiz.mutable_questions(0)->mutable_options(1)->set_option_id("a");
  absl::StatusOr<v1::Quiz> out = ValidateQuiz(quiz);
  ASSERT_TRUE(out.ok()) << out.status();
  std::set<std::string> ids;
  for (const auto& question : out->questions()) ids.insert(question.question_id());
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(out->questions(1).question_id(), "q1");
  EXPECT_EQ(out->questions(2).question_id(), "q3");
  EXPECT_EQ(out->questions(0).options(1).option_id(), "a");
  EXPECT_NE(out->questions(0).options(0).option_id(), "a");
  EXPECT_TRUE(IsValidId(out->questions(0).question_id()));
}

TEST(QuizTest, QuestionCountIs1To200) {
  v1::Quiz quiz = GoodQuiz();
  quiz.clear_questions();
  EXPECT_THAT(QuizFields(quiz), ElementsAre("quiz.questions"));

  quiz = GoodQuiz();
  while (quiz.questions_size() < kMaxQuestions) *quiz.add_questions() = quiz.questions(0);
  EXPECT_TRUE(ValidateQuiz(quiz).ok());
  *quiz.add_questions() = quiz.questions(0);
  EXPECT_THAT(QuizFields(quiz), ElementsAre("quiz.questions"));
}

TEST(QuizTest, QuestionNeedsTextAndKind) {
  v1::Quiz quiz = GoodQuiz();
  quiz.mutable_questions(2)->set_text(" \n");
  quiz.mutable_questions(1)->set_kind(v1::QUESTION_KIND_UNSPECIFIED);
  EXPECT_THAT(QuizFields(quiz),
              UnorderedElementsAre("quiz.questions[2].text", "quiz.questions[1].kind"));
}

TEST(QuizTest, TwoToSixOptions) {
  v1::Quiz quiz = GoodQuiz();
  quiz.mutable_questions(2)->mutable_options()->DeleteSubrange(0, 2);  // only "Ibland" left
  quiz.mutable_questions(2)->mutable_options(0)->set_correct(true);
  EXPECT_THAT(QuizFields(quiz), ElementsAre("quiz.questions[2].options"));

  quiz = GoodQuiz();
  for (const char* text : {"D", "E", "F"}) {
    v1::QuizOption* option = quiz.mutable_questions(2)->add_options();
    option->set_text(text);
  }
  EXPECT_TRUE(ValidateQuiz(quiz).ok());  // 6 options
  quiz.mutable_questions(2)->add_options()->set_text("G");
  EXPECT_THAT(QuizFields(quiz), ElementsAre("quiz.questions[2].options"));
}

TEST(QuizTest, OptionTextsAreNonEmptyAndUniqueWithinAQuestion) {
  v1::Quiz quiz = GoodQuiz();
  quiz.mutable_questions(2)->mutable_options(2)->set_text("");
  quiz.mutable_questions(1)->mutable_options(2)->set_text(" Svenska ");
  EXPECT_THAT(QuizFields(quiz), UnorderedElementsAre("quiz.questions[2].options[2].text",
                                                     "quiz.questions[1].options[2].text"));
  // The same text in different questions is fine.
  quiz = GoodQuiz();
  quiz.mutable_questions(0)->mutable_options(0)->set_text("Ja");
  EXPECT_TRUE(ValidateQuiz(quiz).ok());
}

TEST(QuizTest, SingleAnswerHasExactlyOneCorrectOption) {
  v1::Quiz quiz = GoodQuiz();
  quiz.mutable_questions(0)->mutable_options(0)->set_correct(false);
  EXPECT_THAT(QuizFields(quiz), ElementsAre("quiz.questions[0].options"));
  quiz = GoodQuiz();
  quiz.mutable_questions(2)->mutable_options(0)->set_correct(true);
  EXPECT_THAT(QuizFields(quiz), ElementsAre("quiz.questions[2].options"));
}

TEST(QuizTest, MultipleAnswerHasAtLeastOneCorrectOption) {
  v1::Quiz quiz = GoodQuiz();
  quiz.mutable_questions(1)->mutable_options(0)->set_correct(false);
  EXPECT_TRUE(ValidateQuiz(quiz).ok());  // one correct left
  quiz.mutable_questions(1)->mutable_options(1)->set_correct(false);
  EXPECT_THAT(QuizFields(quiz), ElementsAre("quiz.questions[1].options"));
}

TEST(QuizTest, SettingsRanges) {
  struct Case {
    void (*edit)(v1::Quiz&);
    bool ok;
    const char* field;
  };
  const std::vector<Case> cases = {
      {[](v1::Quiz& q) { q.set_pass_mark_percent(0); }, false, "quiz.pass_mark_percent"},
      {[](v1::Quiz& q) { q.set_pass_mark_percent(101); }, false, "quiz.pass_mark_percent"},
      {[](v1::Quiz& q) { q.set_pass_mark_percent(1); }, true, ""},
      {[](v1::Quiz& q) { q.set_pass_mark_percent(100); }, true, ""},
      {[](v1::Quiz& q) { q.set_questions_per_attempt(-1); }, false, "quiz.questions_per_attempt"},
      {[](v1::Quiz& q) { q.set_questions_per_attempt(4); }, false, "quiz.questions_per_attempt"},
      {[](v1::Quiz& q) { q.set_questions_per_attempt(3); }, true, ""},
      {[](v1::Quiz& q) { q.set_questions_per_attempt(1); }, true, ""},
      {[](v1::Quiz& q) { q.set_max_attempts(-1); }, false, "quiz.max_attempts"},
      {[](v1::Quiz& q) { q.set_max_attempts(3); }, true, ""},
      {[](v1::Quiz& q) { q.set_retry_delay_seconds(-1); }, false, "quiz.retry_delay_seconds"},
      {[](v1::Quiz& q) { q.set_retry_delay_seconds(86400); }, true, ""},
      {[](v1::Quiz& q) { q.set_time_limit_seconds(59); }, false, "quiz.time_limit_seconds"},
      {[](v1::Quiz& q) { q.set_time_limit_seconds(86401); }, false, "quiz.time_limit_seconds"},
      {[](v1::Quiz& q) { q.set_time_limit_seconds(-60); }, false, "quiz.time_limit_seconds"},
      {[](v1::Quiz& q) { q.set_time_limit_seconds(60); }, true, ""},
      {[](v1::Quiz& q) { q.set_time_limit_seconds(86400); }, true, ""},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(i);
    v1::Quiz quiz = GoodQuiz();
    cases[i].edit(quiz);
    if (cases[i].ok) {
      EXPECT_TRUE(ValidateQuiz(quiz).ok()) << ValidateQuiz(quiz).status();
    } else {
      EXPECT_THAT(QuizFields(quiz), ElementsAre(cases[i].field));
    }
  }
  v1::Quiz quiz = GoodQuiz();
  quiz.set_time_limit_seconds(600);
  EXPECT_EQ(ValidateQuiz(quiz)->time_limit_seconds(), 600);
}

TEST(QuizTest, RejectsBadAndDuplicateIds) {
  v1::Quiz quiz = GoodQuiz();
  quiz.mutable_questions(0)->set_question_id("fraga-1");
  quiz.mutable_questions(2)->set_question_id("fraga-1");
  quiz.mutable_questions(1)->set_question_id("Q2");
  quiz.mutable_questions(1)->mutable_options(0)->set_option_id("x");
  quiz.mutable_questions(1)->mutable_options(2)->set_option_id("x");
  quiz.mutable_questions(0)->mutable_options(1)->set_option_id("b b");
  EXPECT_THAT(QuizFields(quiz),
              UnorderedElementsAre("quiz.questions[2].question_id", "quiz.questions[1].question_id",
                                   "quiz.questions[1].options[2].option_id",
                                   "quiz.questions[0].options[1].option_id"));
}

TEST(QuizTest, ReportsEveryViolationAtOnce) {
  v1::Quiz quiz = GoodQuiz();
  quiz.set_pass_mark_percent(0);
  quiz.set_max_attempts(-2);
  quiz.mutable_questions(0)->set_text("");
  quiz.mutable_questions(2)->mutable_options(1)->set_correct(false);
  quiz.mutable_questions(1)->mutable_options(0)->set_text("");
  EXPECT_THAT(
      QuizFields(quiz),
      UnorderedElementsAre("quiz.pass_mark_percent", "quiz.max_attempts", "quiz.questions[0].text",
                           "quiz.questions[2].options", "quiz.questions[1].options[0].text"));
}

TEST(QuizTest, UsesTheGivenFieldPrefix) {
  v1::Quiz quiz = GoodQuiz();
  quiz.set_pass_mark_percent(0);
  absl::Status status = ValidateQuiz(quiz, "body").status();
  EXPECT_THAT(Fields(status), ElementsAre("body.pass_mark_percent"));
  EXPECT_THAT(Fields(ValidateQuiz(GoodQuiz()).status()), IsEmpty());
}

}  // namespace
}  // namespace integration::training
