// Quiz attempts through the real server and PostgreSQL: what is served and stored, scoring,
// every reason a start or a submission is refused, expiry, quiz edits after a start,
// idempotent starts, progress, and that learners only reach their own attempts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "integration/status/status.h"
#include "lansstyrelsen/integration/training/v1/events.pb.h"
#include "training_test_env.h"

namespace integration::training::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;

constexpr char kIntro[] = "introduktion";
constexpr char kAsyl[] = "asylprocessen";
constexpr char kModule[] = "mottagande";
constexpr char kModuleName[] = "parts/introduktion/modules/mottagande";

class AttemptTest : public TrainingTest {
 protected:
  void SetUp() override {
    TrainingTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(env().CreatePart(kIntro, "Introduktion", 1).ok());
    ASSERT_TRUE(env().CreatePart(kAsyl, "Asylprocessen", 2).ok());
    ASSERT_TRUE(env().PublishedModule(kAsyl, "asylratt", MakeQuiz()).ok());
  }

  // Publishes the intro module with `spec`'s quiz and enrols anna in the intro part.
  v1::Quiz Prepare(const QuizSpec& spec = {}) {
    const v1::Quiz quiz = MakeQuiz(spec);
    EXPECT_TRUE(env().PublishedModule(kIntro, kModule, quiz).ok());
    EXPECT_TRUE(env().Enrol("anna", {kIntro}).ok());
    return quiz;
  }

  ::grpc::Status StartStatus(const std::string& learner, const std::string& module_name,
                             v1::Attempt* out = nullptr) {
    v1::StartAttemptRequest req;
    req.set_parent(env().Learners(learner));
    req.set_module(module_name);
    v1::Attempt attempt;
    return env().Call(&Stub::StartAttempt, env().LearnerToken(learner), req,
                      out != nullptr ? out : &attempt);
  }

  ::grpc::Status SubmitStatus(const std::string& learner, const std::string& attempt_name,
                              const std::vector<v1::Answer>& answers, v1::Attempt* out = nullptr) {
    v1::SubmitAttemptRequest req;
    req.set_name(attempt_name);
    for (const v1::Answer& a : answers) *req.add_answers() = a;
    v1::Attempt attempt;
    return env().Call(&Stub::SubmitAttempt, env().LearnerToken(learner), req,
                      out != nullptr ? out : &attempt);
  }
};

TEST_F(AttemptTest, StartDrawsQuestionsAndStoresWhatWasServed) {
  Prepare({.questions = 5, .questions_per_attempt = 3});
  absl::StatusOr<v1::Attempt> attempt = env().Start("anna", kIntro, kModule);
  ASSERT_TRUE(attempt.ok()) << attempt.status();
  EXPECT_THAT(attempt->name(), ::testing::StartsWith(env().Learners("anna") + "/attempts/"));
  EXPECT_EQ(attempt->module(), kModuleName);
  EXPECT_EQ(attempt->state(), v1::ATTEMPT_STATE_IN_PROGRESS);
  EXPECT_EQ(attempt->attempt_number(), 1);
  EXPECT_EQ(attempt->quiz_version(), 1);
  EXPECT_EQ(attempt->pass_mark_percent(), 60);
  ASSERT_THAT(attempt->questions(), SizeIs(3));
  std::set<std::string> ids;
  for (const v1::ServedQuestion& q : attempt->questions()) {
    ids.insert(q.question_id());
    EXPECT_THAT(q.options(), SizeIs(3));
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(attempt->expire_time().seconds() - attempt->start_time().seconds(), 3600);

  // GetAttempt shows exactly what was served.
  v1::GetAttemptRequest get;
  get.set_name(attempt->name());
  v1::Attempt read;
  ::grpc::Status st = env().Call(&Stub::GetAttempt, env().LearnerToken("anna"), get, &read);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(read.SerializeAsString(), attempt->SerializeAsString());
  EXPECT_EQ(env().Count("SELECT count(*) FROM attempts WHERE state = 'IN_PROGRESS'"), 1);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'attempt.start'"), 1);
}

TEST_F(AttemptTest, RightAnswersPassTheModuleAndAnnounceIt) {
  const v1::Quiz quiz = Prepare();
  absl::StatusOr<v1::Attempt> attempt = env().Start("anna", kIntro, kModule);
  ASSERT_TRUE(attempt.ok()) << attempt.status();
  absl::StatusOr<v1::Attempt> scored = env().Submit("anna", *attempt, RightAnswers(*attempt, quiz));
  ASSERT_TRUE(scored.ok()) << scored.status();
  EXPECT_EQ(scored->state(), v1::ATTEMPT_STATE_SUBMITTED);
  EXPECT_EQ(scored->score_percent(), 100);
  EXPECT_TRUE(scored->passed());
  EXPECT_GT(scored->submit_time().seconds(), 0);
  ASSERT_THAT(scored->results(), SizeIs(3));
  for (const v1::QuestionResult& r : scored->results()) EXPECT_TRUE(r.correct());

  pqxx::result events = env().Query(
      "SELECT payload FROM outbox WHERE event_type = "
      "'lansstyrelsen.integration.training.v1.ModulePassedEvent'");
  ASSERT_EQ(events.size(), 1u);
  v1::ModulePassedEvent event;
  ASSERT_TRUE(event.ParseFromString(pqxx::binarystring(events[0][0]).str()));
  EXPECT_EQ(event.learner(), env().Learners("anna"));
  EXPECT_EQ(event.module(), kModuleName);
  EXPECT_EQ(event.attempt(), attempt->name());
  EXPECT_EQ(event.score_percent(), 100);

  // Submitted once: never again. A passed module is not started again either.
  ::grpc::Status st = SubmitStatus("anna", attempt->name(), RightAnswers(*attempt, quiz));
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "ATTEMPT_ALREADY_SUBMITTED");
  st = StartStatus("anna", kModuleName);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "MODULE_ALREADY_PASSED");
}

TEST_F(AttemptTest, AFailedAttemptMustWaitTheRetryDelay) {
  const v1::Quiz quiz = Prepare({.retry_delay_seconds = 600});
  absl::StatusOr<v1::Attempt> attempt = env().Start("anna", kIntro, kModule);
  ASSERT_TRUE(attempt.ok());
  absl::StatusOr<v1::Attempt> scored = env().Submit("anna", *attempt, WrongAnswers(*attempt, quiz));
  ASSERT_TRUE(scored.ok()) << scored.status();
  EXPECT_EQ(scored->score_percent(), 0);
  EXPECT_FALSE(scored->passed());
  for (const v1::QuestionResult& r : scored->results()) EXPECT_FALSE(r.correct());
  EXPECT_EQ(env().Count("SELECT count(*) FROM outbox WHERE event_type = "
                        "'lansstyrelsen.integration.training.v1.ModulePassedEvent'"),
            0);

  ::grpc::Status st = StartStatus("anna", kModuleName);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "RETRY_TOO_EARLY");
  EXPECT_FALSE(MetadataOf(st)["retry_after"].empty());

  env().clock().Advance(absl::Seconds(601));
  v1::Attempt second;
  st = StartStatus("anna", kModuleName, &second);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(second.attempt_number(), 2);
}

TEST_F(AttemptTest, TheAttemptLimitHolds) {
  const v1::Quiz quiz = Prepare({.max_attempts = 2});
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<v1::Attempt> attempt = env().Start("anna", kIntro, kModule);
    ASSERT_TRUE(attempt.ok()) << attempt.status();
    ASSERT_TRUE(env().Submit("anna", *attempt, WrongAnswers(*attempt, quiz)).ok());
  }
  ::grpc::Status st = StartStatus("anna", kModuleName);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "ATTEMPT_LIMIT_REACHED");
  EXPECT_EQ(MetadataOf(st)["max_attempts"], "2");
  EXPECT_EQ(env().Count("SELECT count(*) FROM attempts"), 2);
}

TEST_F(AttemptTest, StartIsRefusedForModulesOutsideTheEnrolmentOrNotReady) {
  Prepare();
  ::grpc::Status st = StartStatus("anna", "parts/asylprocessen/modules/asylratt");
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "MODULE_NOT_IN_ENROLLED_PARTS");

  ASSERT_TRUE(env().CreateModule(kIntro, "utkast", "Utkast").ok());
  st = StartStatus("anna", "parts/introduktion/modules/utkast");
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "MODULE_NOT_PUBLISHED");

  st = StartStatus("anna", "parts/introduktion/modules/finns-inte");
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  st = StartStatus("anna", "mottagande");
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("module"));

  // Not enrolled at all.
  st = StartStatus("cecilia", kModuleName);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(st), "LEARNER_NOT_FOUND");

  // Someone else's enrolment.
  v1::StartAttemptRequest req;
  req.set_parent(env().Learners("anna"));
  req.set_module(kModuleName);
  v1::Attempt attempt;
  st = env().Call(&Stub::StartAttempt, env().LearnerToken("bertil"), req, &attempt);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(env().Count("SELECT count(*) FROM attempts"), 0);
}

TEST_F(AttemptTest, BadAnswersAreRefusedAndNothingIsRecorded) {
  // Question q2's options get ids of their own, so that an option of another question exists.
  v1::Quiz quiz = MakeQuiz();
  const char* q2_ids[] = {"d", "e", "f"};
  for (int i = 0; i < 3; ++i)
    quiz.mutable_questions(1)->mutable_options(i)->set_option_id(q2_ids[i]);
  ASSERT_TRUE(env().PublishedModule(kIntro, kModule, quiz).ok());
  ASSERT_TRUE(env().Enrol("anna", {kIntro}).ok());
  absl::StatusOr<v1::Attempt> attempt = env().Start("anna", kIntro, kModule);
  ASSERT_TRUE(attempt.ok());
  const std::vector<v1::Answer> right = RightAnswers(*attempt, quiz);

  std::vector<v1::Answer> unknown_question = right;
  unknown_question[1].set_question_id("q99");
  ::grpc::Status st = SubmitStatus("anna", attempt->name(), unknown_question);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "QUESTION_NOT_IN_ATTEMPT");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("answers[1].question_id"));

  std::vector<v1::Answer> unknown_option = right;
  unknown_option[0].set_option_ids(0, "z");
  st = SubmitStatus("anna", attempt->name(), unknown_option);
  EXPECT_EQ(ReasonOf(st), "OPTION_NOT_IN_QUESTION");

  // An option of another served question ("d" is q2's) does not answer this one.
  std::vector<v1::Answer> foreign_option = right;
  for (v1::Answer& a : foreign_option) {
    if (a.question_id() == "q1") a.set_option_ids(0, "d");
  }
  st = SubmitStatus("anna", attempt->name(), foreign_option);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "OPTION_NOT_IN_QUESTION");

  std::vector<v1::Answer> two_for_single = right;
  for (v1::Answer& a : two_for_single) {
    if (a.question_id() == "q1") a.add_option_ids("b");
  }
  st = SubmitStatus("anna", attempt->name(), two_for_single);
  EXPECT_EQ(ReasonOf(st), "TOO_MANY_OPTIONS");

  std::vector<v1::Answer> twice = right;
  twice.push_back(right[0]);
  st = SubmitStatus("anna", attempt->name(), twice);
  EXPECT_EQ(ReasonOf(st), "QUESTION_ANSWERED_TWICE");

  EXPECT_EQ(env().Count("SELECT count(*) FROM attempts WHERE state = 'IN_PROGRESS'"), 1);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'attempt.submit'"), 0);
  // The learner can still submit properly.
  absl::StatusOr<v1::Attempt> scored = env().Submit("anna", *attempt, right);
  ASSERT_TRUE(scored.ok()) << scored.status();
  EXPECT_TRUE(scored->passed());

  // Other people's attempts and unknown attempts.
  st = SubmitStatus("bertil", attempt->name(), right);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  st = SubmitStatus("anna", env().Learners("anna") + "/attempts/999999", right);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(st), "ATTEMPT_NOT_FOUND");
  st = SubmitStatus("anna", env().Learners("anna") + "/attempts/abc", right);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
}

TEST_F(AttemptTest, AnAttemptSubmittedTooLateExpires) {
  const v1::Quiz quiz = Prepare({.time_limit_seconds = 120});
  absl::StatusOr<v1::Attempt> attempt = env().Start("anna", kIntro, kModule);
  ASSERT_TRUE(attempt.ok());
  EXPECT_EQ(attempt->expire_time().seconds() - attempt->start_time().seconds(), 120);
  env().clock().Advance(absl::Seconds(121));

  v1::GetAttemptRequest get;
  get.set_name(attempt->name());
  v1::Attempt read;
  ASSERT_TRUE(env().Call(&Stub::GetAttempt, env().LearnerToken("anna"), get, &read).ok());
  EXPECT_EQ(read.state(), v1::ATTEMPT_STATE_EXPIRED);

  ::grpc::Status st = SubmitStatus("anna", attempt->name(), RightAnswers(*attempt, quiz));
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "ATTEMPT_EXPIRED");
  EXPECT_EQ(env().Count("SELECT count(*) FROM attempts WHERE state = 'EXPIRED'"), 1);
  st = SubmitStatus("anna", attempt->name(), RightAnswers(*attempt, quiz));
  EXPECT_EQ(ReasonOf(st), "ATTEMPT_EXPIRED");
  EXPECT_EQ(env().Count("SELECT count(*) FROM outbox WHERE event_type = "
                        "'lansstyrelsen.integration.training.v1.ModulePassedEvent'"),
            0);
}

TEST_F(AttemptTest, EditingAPublishedQuizDoesNotChangeAStartedAttempt) {
  const v1::Quiz original = Prepare();
  absl::StatusOr<v1::Attempt> attempt = env().Start("anna", kIntro, kModule);
  ASSERT_TRUE(attempt.ok());

  // The admin flips every question: "b" becomes the only right option, and the pass mark rises.
  v1::Quiz edited = original;
  for (v1::QuizQuestion& q : *edited.mutable_questions()) {
    q.set_kind(v1::QUESTION_KIND_SINGLE_ANSWER);
    for (v1::QuizOption& o : *q.mutable_options()) o.set_correct(o.option_id() == "b");
  }
  edited.set_pass_mark_percent(100);
  absl::StatusOr<v1::Quiz> v2 = env().SetQuiz(kIntro, kModule, edited);
  ASSERT_TRUE(v2.ok()) << v2.status();
  ASSERT_EQ(v2->version(), 2);

  // Scored against what was served (version 1): the original right answers pass.
  absl::StatusOr<v1::Attempt> scored =
      env().Submit("anna", *attempt, RightAnswers(*attempt, original));
  ASSERT_TRUE(scored.ok()) << scored.status();
  EXPECT_EQ(scored->score_percent(), 100);
  EXPECT_TRUE(scored->passed());
  EXPECT_EQ(scored->quiz_version(), 1);
  EXPECT_EQ(scored->pass_mark_percent(), 60);

  // A new attempt uses version 2.
  ASSERT_TRUE(env().Enrol("bertil", {kIntro}).ok());
  absl::StatusOr<v1::Attempt> later = env().Start("bertil", kIntro, kModule);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->quiz_version(), 2);
  // Picking "a" everywhere (right in version 1) is wrong in version 2.
  std::vector<v1::Answer> old_right = WrongAnswers(*later, edited);
  for (const v1::Answer& a : old_right) ASSERT_THAT(a.option_ids(), ElementsAre("a"));
  absl::StatusOr<v1::Attempt> later_scored = env().Submit("bertil", *later, old_right);
  ASSERT_TRUE(later_scored.ok()) << later_scored.status();
  EXPECT_EQ(later_scored->score_percent(), 0);
}

TEST_F(AttemptTest, AStartWithTheSameRequestIdReturnsTheSameAttempt) {
  Prepare();
  v1::StartAttemptRequest req;
  req.set_parent(env().Learners("anna"));
  req.set_module(kModuleName);
  req.set_request_id("5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d");
  v1::Attempt first;
  v1::Attempt again;
  ASSERT_TRUE(env().Call(&Stub::StartAttempt, env().LearnerToken("anna"), req, &first).ok());
  ::grpc::Status st = env().Call(&Stub::StartAttempt, env().LearnerToken("anna"), req, &again);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(again.name(), first.name());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(env().Count("SELECT count(*) FROM attempts"), 1);
}

TEST_F(AttemptTest, ProgressCountsAttemptsScoresAndCompletion) {
  const v1::Quiz quiz = Prepare({.max_attempts = 3});
  ASSERT_TRUE(env().PublishedModule(kIntro, "bemotande", MakeQuiz()).ok());
  absl::StatusOr<v1::Attempt> failed = env().Start("anna", kIntro, kModule);
  ASSERT_TRUE(failed.ok());
  std::vector<v1::Answer> one_right = WrongAnswers(*failed, quiz);
  one_right[0] = RightAnswers(*failed, quiz)[0];
  ASSERT_TRUE(env().Submit("anna", *failed, one_right).ok());
  absl::StatusOr<v1::Attempt> passed = env().Start("anna", kIntro, kModule);
  ASSERT_TRUE(passed.ok());
  ASSERT_TRUE(env().Submit("anna", *passed, RightAnswers(*passed, quiz)).ok());

  v1::GetProgressRequest req;
  req.set_name(env().Learners("anna") + "/progress");
  v1::Progress progress;
  ::grpc::Status st = env().Call(&Stub::GetProgress, env().LearnerToken("anna"), req, &progress);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(progress.name(), env().Learners("anna") + "/progress");
  ASSERT_THAT(progress.parts(), SizeIs(1));
  const v1::PartProgress& part = progress.parts(0);
  EXPECT_EQ(part.part(), "parts/introduktion");
  EXPECT_FALSE(part.completed());
  ASSERT_THAT(part.modules(), SizeIs(2));
  EXPECT_EQ(part.modules(0).module(), kModuleName);
  EXPECT_TRUE(part.modules(0).passed());
  EXPECT_EQ(part.modules(0).best_score_percent(), 100);
  EXPECT_EQ(part.modules(0).attempts_used(), 2);
  EXPECT_EQ(part.modules(0).attempts_left(), 1);
  EXPECT_GT(part.modules(0).pass_time().seconds(), 0);
  EXPECT_EQ(part.modules(1).module(), "parts/introduktion/modules/bemotande");
  EXPECT_FALSE(part.modules(1).passed());
  EXPECT_EQ(part.modules(1).attempts_used(), 0);
  EXPECT_EQ(part.modules(1).attempts_left(), -1);
  EXPECT_FALSE(progress.completed());

  const v1::Quiz second = MakeQuiz();
  absl::StatusOr<v1::Attempt> other = env().Start("anna", kIntro, "bemotande");
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(env().Submit("anna", *other, RightAnswers(*other, second)).ok());
  ASSERT_TRUE(env().Call(&Stub::GetProgress, env().LearnerToken("anna"), req, &progress).ok());
  EXPECT_TRUE(progress.parts(0).completed());
  EXPECT_TRUE(progress.completed());
}

TEST_F(AttemptTest, ALearnerCannotReadAnotherLearnersAttemptsOrProgress) {
  const v1::Quiz quiz = Prepare();
  ASSERT_TRUE(env().Enrol("bertil", {kIntro}).ok());
  absl::StatusOr<v1::Attempt> attempt = env().Start("anna", kIntro, kModule);
  ASSERT_TRUE(attempt.ok());

  v1::GetAttemptRequest get;
  get.set_name(attempt->name());
  v1::Attempt read;
  ::grpc::Status st = env().Call(&Stub::GetAttempt, env().LearnerToken("bertil"), get, &read);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  // Asking for it under one's own name finds nothing: attempts are looked up per learner.
  get.set_name(env().Learners("bertil") + "/attempts/" +
               attempt->name().substr(attempt->name().rfind('/') + 1));
  st = env().Call(&Stub::GetAttempt, env().LearnerToken("bertil"), get, &read);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);

  v1::ListAttemptsRequest list;
  list.set_parent(env().Learners("anna"));
  v1::ListAttemptsResponse attempts;
  st = env().Call(&Stub::ListAttempts, env().LearnerToken("bertil"), list, &attempts);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);

  v1::GetProgressRequest progress_req;
  progress_req.set_name(env().Learners("anna") + "/progress");
  v1::Progress progress;
  st = env().Call(&Stub::GetProgress, env().LearnerToken("bertil"), progress_req, &progress);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);

  // County officers of the learner's county may read; of another county may not.
  st = env().Call(&Stub::ListAttempts, env().OfficerToken("03"), list, &attempts);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_THAT(attempts.attempts(), SizeIs(1));
  st = env().Call(&Stub::GetProgress, env().OfficerToken("03"), progress_req, &progress);
  ASSERT_TRUE(st.ok()) << Describe(st);
  st = env().Call(&Stub::GetProgress, env().OfficerToken("01"), progress_req, &progress);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  get.set_name(attempt->name());
  st = env().Call(&Stub::GetAttempt, env().OfficerToken("01"), get, &read);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  // An admin is not a reader of learners' records.
  st = env().Call(&Stub::GetAttempt, env().AdminToken(), get, &read);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AttemptTest, ListAttemptsIsNewestFirstAndPaged) {
  const v1::Quiz quiz = Prepare();
  std::vector<std::string> started;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<v1::Attempt> attempt = env().Start("anna", kIntro, kModule);
    ASSERT_TRUE(attempt.ok()) << attempt.status();
    started.push_back(attempt->name());
    ASSERT_TRUE(env().Submit("anna", *attempt, WrongAnswers(*attempt, quiz)).ok());
  }
  v1::ListAttemptsRequest req;
  req.set_parent(env().Learners("anna"));
  req.set_page_size(2);
  v1::ListAttemptsResponse page;
  ASSERT_TRUE(env().Call(&Stub::ListAttempts, env().LearnerToken("anna"), req, &page).ok());
  ASSERT_THAT(page.attempts(), SizeIs(2));
  EXPECT_EQ(page.attempts(0).name(), started[2]);
  EXPECT_EQ(page.attempts(1).name(), started[1]);
  ASSERT_FALSE(page.next_page_token().empty());
  req.set_page_token(page.next_page_token());
  ASSERT_TRUE(env().Call(&Stub::ListAttempts, env().LearnerToken("anna"), req, &page).ok());
  ASSERT_THAT(page.attempts(), SizeIs(1));
  EXPECT_EQ(page.attempts(0).name(), started[0]);
  EXPECT_TRUE(page.next_page_token().empty());
  EXPECT_EQ(page.attempts(0).state(), v1::ATTEMPT_STATE_SUBMITTED);
}

}  // namespace
}  // namespace integration::training::testing
