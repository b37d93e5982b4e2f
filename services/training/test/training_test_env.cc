// The training service's test harness: the in-process server (common ServiceHarness), the
// diploma signing key, and helpers that build content and attempts through the RPCs.
#include "training_test_env.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "integration/status/status.h"
#include "training_spec.h"

namespace integration::training::testing {
namespace {

// The status of a failed call as an absl::Status (keeping ErrorInfo/BadRequest), for helpers.
absl::Status ToAbsl(const ::grpc::Status& status) { return status::FromGrpc(status); }

const v1::QuizQuestion* FindQuestion(const v1::Quiz& quiz, const std::string& question_id) {
  for (const v1::QuizQuestion& q : quiz.questions()) {
    if (q.question_id() == question_id) return &q;
  }
  return nullptr;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Quizzes and answers

v1::Quiz MakeQuiz(const QuizSpec& spec) {
  v1::Quiz quiz;
  for (int i = 1; i <= spec.questions; ++i) {
    v1::QuizQuestion* q = quiz.add_questions();
    q->set_question_id(absl::StrCat("q", i));
    const bool multiple = i % 3 == 0;
    q->set_text(absl::StrCat("Fråga ", i, ": vad stämmer om mottagandet?"));
    q->set_kind(multiple ? v1::QUESTION_KIND_MULTIPLE_ANSWER : v1::QUESTION_KIND_SINGLE_ANSWER);
    const char* ids[] = {"a", "b", "c"};
    for (const char* id : ids) {
      v1::QuizOption* o = q->add_options();
      o->set_option_id(id);
      o->set_text(absl::StrCat("Alternativ ", id, " till fråga ", i));
      o->set_correct(std::string(id) == "a" || (multiple && std::string(id) == "c"));
    }
  }
  quiz.set_pass_mark_percent(spec.pass_mark_percent);
  quiz.set_questions_per_attempt(spec.questions_per_attempt);
  quiz.set_max_attempts(spec.max_attempts);
  quiz.set_retry_delay_seconds(spec.retry_delay_seconds);
  quiz.set_time_limit_seconds(spec.time_limit_seconds);
  return quiz;
}

std::vector<v1::Answer> RightAnswers(const v1::Attempt& attempt, const v1::Quiz& quiz) {
  std::vector<v1::Answer> answers;
  for (const v1::ServedQuestion& served : attempt.questions()) {
    v1::Answer answer;
    answer.set_question_id(served.question_id());
    const v1::QuizQuestion* q = FindQuestion(quiz, served.question_id());
    EXPECT_NE(q, nullptr) << "served question " << served.question_id() << " is not in the quiz";
    if (q == nullptr) continue;
    for (const v1::QuizOption& o : q->options()) {
      if (o.correct()) answer.add_option_ids(o.option_id());
    }
    answers.push_back(std::move(answer));
  }
  return answers;
}

std::vector<v1::Answer> WrongAnswers(const v1::Attempt& attempt, const v1::Quiz& quiz) {
  std::vector<v1::Answer> answers;
  for (const v1::ServedQuestion& served : attempt.questions()) {
    v1::Answer answer;
    answer.set_question_id(served.question_id());
    const v1::QuizQuestion* q = FindQuestion(quiz, served.question_id());
    EXPECT_NE(q, nullptr) << "served question " << served.question_id() << " is not in the quiz";
    if (q == nullptr) continue;
    for (const v1::QuizOption& o : q->options()) {
      if (!o.correct()) {
        answer.add_option_ids(o.option_id());
        break;
      }
    }
    answers.push_back(std::move(answer));
  }
  return answers;
}

// ---------------------------------------------------------------------------------------------
// TrainingTestEnv

absl::StatusOr<std::unique_ptr<TrainingTestEnv>> TrainingTestEnv::Start() {
  auto env = std::make_unique<TrainingTestEnv>(PassKey());
  if (absl::Status st = env->Launch(); !st.ok()) return st;
  return env;
}

absl::Status TrainingTestEnv::Launch() {
  // Diplomas are signed with a key of their own; tokens with the harness's.
  if (absl::Status st =
          integration::testing::NewEd25519Key(&signing_key_pem_, &signing_public_key_pem_);
      !st.ok()) {
    return st;
  }
  clock_ = std::make_unique<TestClock>();
  TestClock* clock = clock_.get();
  integration::testing::HarnessOptions options;
  options.issuer = kIssuer;
  options.audience = kAudience;
  options.files = {{"diploma_signing_key.pem", signing_key_pem_}};
  options.extra_args = {"--diploma-signing-key-file={dir}/diploma_signing_key.pem",
                        "--diploma-verify-url=https://integration.lansstyrelsen.se/verify"};
  absl::StatusOr<std::unique_ptr<integration::testing::ServiceHarness>> harness =
      integration::testing::ServiceHarness::Start(
          TrainingSpec({.clock = [clock] { return clock->Now(); }}), options);
  if (!harness.ok()) return harness.status();
  harness_ = *std::move(harness);
  stub_ = v1::TrainingService::NewStub(harness_->channel());

  // Ready when a public call answers (health turns SERVING once PostgreSQL answered).
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  ::grpc::Status last;
  while (absl::Now() < give_up) {
    v1::ListPartsResponse resp;
    last = Call(&Stub::ListParts, "", v1::ListPartsRequest(), &resp);
    if (last.ok()) return absl::OkStatus();
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::InternalError(absl::StrCat("the server never answered: ", Describe(last)));
}

TrainingTestEnv::~TrainingTestEnv() {
  stub_.reset();
  harness_.reset();
}

std::string TrainingTestEnv::Token(const std::string& role, const std::string& subject,
                                   const std::string& lan) const {
  integration::testing::Claims claims;
  if (role == "county_officer" || role == "county_admin") claims.lan = lan;
  return harness_->Token(role, subject, claims);
}

absl::StatusOr<v1::Part> TrainingTestEnv::CreatePart(const std::string& part_id,
                                                     const std::string& title, int position) {
  v1::CreatePartRequest req;
  req.set_part_id(part_id);
  req.mutable_part()->set_title(title);
  req.mutable_part()->set_position(position);
  v1::Part part;
  ::grpc::Status st = Call(&Stub::CreatePart, AdminToken(), req, &part);
  if (!st.ok()) return ToAbsl(st);
  return part;
}

absl::StatusOr<v1::Module> TrainingTestEnv::CreateModule(const std::string& part_id,
                                                         const std::string& module_id,
                                                         const std::string& title, int position) {
  v1::CreateModuleRequest req;
  req.set_parent("parts/" + part_id);
  req.set_module_id(module_id);
  req.mutable_module()->set_title(title);
  req.mutable_module()->set_position(position);
  v1::ContentItem* film = req.mutable_module()->add_content();
  film->set_kind(v1::CONTENT_KIND_FILM);
  film->set_title(title + " (film)");
  film->set_uri("https://video.example.se/" + module_id);
  film->set_duration_seconds(300);
  v1::Module module;
  ::grpc::Status st = Call(&Stub::CreateModule, AdminToken(), req, &module);
  if (!st.ok()) return ToAbsl(st);
  return module;
}

absl::StatusOr<v1::Quiz> TrainingTestEnv::SetQuiz(const std::string& part_id,
                                                  const std::string& module_id,
                                                  const v1::Quiz& quiz) {
  v1::UpdateQuizRequest req;
  *req.mutable_quiz() = quiz;
  req.mutable_quiz()->set_name(absl::StrCat("parts/", part_id, "/modules/", module_id, "/quiz"));
  v1::Quiz stored;
  ::grpc::Status st = Call(&Stub::UpdateQuiz, AdminToken(), req, &stored);
  if (!st.ok()) return ToAbsl(st);
  return stored;
}

absl::StatusOr<v1::Module> TrainingTestEnv::Publish(const std::string& part_id,
                                                    const std::string& module_id) {
  v1::PublishModuleRequest req;
  req.set_name(absl::StrCat("parts/", part_id, "/modules/", module_id));
  v1::Module module;
  ::grpc::Status st = Call(&Stub::PublishModule, AdminToken(), req, &module);
  if (!st.ok()) return ToAbsl(st);
  return module;
}

absl::StatusOr<v1::Module> TrainingTestEnv::PublishedModule(const std::string& part_id,
                                                            const std::string& module_id,
                                                            const v1::Quiz& quiz) {
  absl::StatusOr<v1::Module> created = CreateModule(part_id, module_id, "Moment " + module_id);
  if (!created.ok()) return created.status();
  absl::StatusOr<v1::Quiz> stored = SetQuiz(part_id, module_id, quiz);
  if (!stored.ok()) return stored.status();
  return Publish(part_id, module_id);
}

absl::StatusOr<v1::Learner> TrainingTestEnv::Enrol(const std::string& learner_id,
                                                   const std::vector<std::string>& part_ids,
                                                   const std::string& display_name) {
  v1::CreateLearnerRequest req;
  v1::Learner* l = req.mutable_learner();
  l->set_name(Learners(learner_id));
  l->set_display_name(display_name);
  l->set_email(learner_id + "@example.se");
  l->set_organisation_type(lansstyrelsen::integration::type::v1::ORGANISATION_TYPE_ASSOCIATION);
  l->set_organisation_name("Röda Korset Uppsala");
  l->set_kommunkod(kTestKommun);
  for (const std::string& p : part_ids) l->add_parts("parts/" + p);
  v1::Learner learner;
  ::grpc::Status st = Call(&Stub::CreateLearner, LearnerToken(learner_id), req, &learner);
  if (!st.ok()) return ToAbsl(st);
  return learner;
}

absl::StatusOr<v1::Attempt> TrainingTestEnv::Start(const std::string& learner_id,
                                                   const std::string& part_id,
                                                   const std::string& module_id) {
  v1::StartAttemptRequest req;
  req.set_parent(Learners(learner_id));
  req.set_module(absl::StrCat("parts/", part_id, "/modules/", module_id));
  v1::Attempt attempt;
  ::grpc::Status st = Call(&Stub::StartAttempt, LearnerToken(learner_id), req, &attempt);
  if (!st.ok()) return ToAbsl(st);
  return attempt;
}

absl::StatusOr<v1::Attempt> TrainingTestEnv::Submit(const std::string& learner_id,
                                                    const v1::Attempt& attempt,
                                                    const std::vector<v1::Answer>& answers) {
  v1::SubmitAttemptRequest req;
  req.set_name(attempt.name());
  for (const v1::Answer& a : answers) *req.add_answers() = a;
  v1::Attempt scored;
  ::grpc::Status st = Call(&Stub::SubmitAttempt, LearnerToken(learner_id), req, &scored);
  if (!st.ok()) return ToAbsl(st);
  return scored;
}

// ---------------------------------------------------------------------------------------------
// TrainingTest

std::unique_ptr<TrainingTestEnv> TrainingTest::env_;
std::string TrainingTest::start_error_;

void TrainingTest::SetUpTestSuite() {
  absl::StatusOr<std::unique_ptr<TrainingTestEnv>> env = TrainingTestEnv::Start();
  if (env.ok()) {
    env_ = *std::move(env);
    start_error_.clear();
  } else {
    start_error_ = env.status().ToString();
  }
}

void TrainingTest::TearDownTestSuite() { env_.reset(); }

void TrainingTest::SetUp() {
  ASSERT_NE(env_, nullptr) << "the training test server did not start: " << start_error_;
  env_->Truncate();
  env_->clock().Reset();
}

}  // namespace integration::training::testing
