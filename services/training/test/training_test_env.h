// Shared harness of the training service's service and integration tests: a migrated
// training-server running in-process (integration::testing::ServiceHarness with TrainingSpec) on
// a fresh test database and the test Redis, tokens for every role, a generated stub, a movable
// clock, direct SQL for assertions and helpers that build course content through the RPCs.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "integration/testing/service_harness.h"
#include "lansstyrelsen/integration/training/v1/training_service.grpc.pb.h"

namespace integration::training::testing {

namespace v1 = ::lansstyrelsen::integration::training::v1;
using Stub = v1::TrainingService::Stub;
using integration::testing::Describe;
using integration::testing::MetadataOf;
using integration::testing::ReasonOf;
using integration::testing::TestClock;
using integration::testing::ViolationFieldsOf;

inline constexpr char kIssuer[] = "https://issuer.training.test";
inline constexpr char kAudience[] = "training-test";
// The län of the county tokens (Uppsala län); kommunkod 0380 (Uppsala) belongs to it.
inline constexpr char kTestLan[] = "03";
inline constexpr char kTestKommun[] = "0380";

// A quiz as the county admin writes it, with the correct options of every question.
struct QuizSpec {
  int questions = 3;
  int pass_mark_percent = 60;
  int questions_per_attempt = 0;
  int max_attempts = 0;
  int retry_delay_seconds = 0;
  int time_limit_seconds = 0;  // 0: the default (3600)
};
// Question i (1-based) has id "q<i>" and options "a" (correct), "b", "c"; every third question
// is multiple-answer with "a" and "c" correct.
v1::Quiz MakeQuiz(const QuizSpec& spec = {});

// Answers to an attempt's served questions: every answer right (by the quiz's correctness),
// or every answer wrong (a wrong option picked).
std::vector<v1::Answer> RightAnswers(const v1::Attempt& attempt, const v1::Quiz& quiz);
std::vector<v1::Answer> WrongAnswers(const v1::Attempt& attempt, const v1::Quiz& quiz);

class TrainingTestEnv {
  // Only Start() constructs (it must also launch the server).
  struct PassKey {};

 public:
  explicit TrainingTestEnv(PassKey) {}
  // Creates the test database (integration::testing::TestDatabase), bootstraps schema and role
  // "training", writes a JWKS and a diploma signing key into a temporary directory, runs
  // `migrate` and then `serve` on a free port with TrainingSpec({.clock = the test clock}),
  // and waits until the server answers.
  static absl::StatusOr<std::unique_ptr<TrainingTestEnv>> Start();
  // Stops the server (graceful shutdown) and drops the database.
  ~TrainingTestEnv();
  TrainingTestEnv(const TrainingTestEnv&) = delete;
  TrainingTestEnv& operator=(const TrainingTestEnv&) = delete;

  // --- Calls ---
  Stub& stub() { return *stub_; }
  const std::string& target() const { return harness_->target(); }
  // A bearer token of `role` for `subject`; county roles carry lan `lan`.
  std::string Token(const std::string& role, const std::string& subject,
                    const std::string& lan = kTestLan) const;
  std::string AdminToken() const { return Token("county_admin", "admin-1"); }
  std::string OfficerToken(const std::string& lan = kTestLan) const {
    return Token("county_officer", "officer-1", lan);
  }
  // The pseudonym the service knows the subject of Token(…, `subject`, …) by.
  std::string Subject(const std::string& subject) const { return harness_->Subject(subject); }
  // The name of the learner whose tokens are LearnerToken(`learner`): learners/{pseudonym}.
  std::string Learners(const std::string& learner) const {
    return "learners/" + harness_->Subject(learner);
  }
  std::string LearnerToken(const std::string& learner_id) const {
    return Token("learner", learner_id, "");
  }
  // A client context with a 20 s deadline and, when given, the token.
  static std::unique_ptr<::grpc::ClientContext> Context(const std::string& token) {
    return integration::testing::ServiceHarness::Context(token);
  }
  // One call through the stub: Call(&Stub::GetPart, token, request, &response). An empty
  // token calls without one.
  template <class Req, class Resp>
  ::grpc::Status Call(::grpc::Status (Stub::*method)(::grpc::ClientContext*, const Req&, Resp*),
                      const std::string& token, const Req& request, Resp* response) {
    std::unique_ptr<::grpc::ClientContext> ctx = Context(token);
    return ((*stub_).*method)(ctx.get(), request, response);
  }

  // --- Time ---
  TestClock& clock() { return *clock_; }

  // --- Keys ---
  // PKCS#8 PEM of the diploma signing key the server signs with, and its public key (PEM).
  const std::string& signing_key_pem() const { return signing_key_pem_; }
  const std::string& signing_public_key_pem() const { return signing_public_key_pem_; }
  // The temporary directory (removed at the end), e.g. for files a test hands to a tool.
  const std::string& temp_dir() const { return harness_->temp_dir(); }

  // --- Database ---
  // Superuser DSN of the test database (tables are in schema "training").
  const std::string& admin_dsn() const { return harness_->admin_dsn(); }
  // Runs `sql` as superuser (search_path training) and returns the result.
  pqxx::result Query(const std::string& sql) { return harness_->Query(sql); }
  // The single value of a one-row, one-column query (e.g. "SELECT count(*) FROM attempts").
  int64_t Count(const std::string& sql) { return harness_->Count(sql); }
  // Empties every table of the training schema (content, learners, attempts, diplomas,
  // audit_log, request_ids, outbox), so that each test starts from nothing.
  void Truncate() { harness_->Truncate(); }

  // --- Content and enrolment through the RPCs (as county_admin / the learner) ---
  absl::StatusOr<v1::Part> CreatePart(const std::string& part_id, const std::string& title,
                                      int position = 0);
  absl::StatusOr<v1::Module> CreateModule(const std::string& part_id, const std::string& module_id,
                                          const std::string& title, int position = 0);
  absl::StatusOr<v1::Quiz> SetQuiz(const std::string& part_id, const std::string& module_id,
                                   const v1::Quiz& quiz);
  absl::StatusOr<v1::Module> Publish(const std::string& part_id, const std::string& module_id);
  // A module with `quiz`, created and published in one go.
  absl::StatusOr<v1::Module> PublishedModule(const std::string& part_id,
                                             const std::string& module_id, const v1::Quiz& quiz);
  // Enrols learners/<learner_id> (kommun kTestKommun) in `part_ids`.
  absl::StatusOr<v1::Learner> Enrol(const std::string& learner_id,
                                    const std::vector<std::string>& part_ids,
                                    const std::string& display_name = "Åsa Öberg");
  absl::StatusOr<v1::Attempt> Start(const std::string& learner_id, const std::string& part_id,
                                    const std::string& module_id);
  absl::StatusOr<v1::Attempt> Submit(const std::string& learner_id, const v1::Attempt& attempt,
                                     const std::vector<v1::Answer>& answers);

  // Run()'s start-up errors and output so far (for assertion messages).
  std::string ServerOutput() const { return harness_->ServerOutput(); }

 private:
  absl::Status Launch();

  std::string signing_key_pem_;
  std::string signing_public_key_pem_;
  std::unique_ptr<TestClock> clock_;
  std::unique_ptr<integration::testing::ServiceHarness> harness_;
  std::unique_ptr<Stub> stub_;
};

// Base fixture: one server per test suite (started in SetUpTestSuite), tables emptied and the
// clock reset before every test.
//   class AttemptTest : public TrainingTest {};
//   TEST_F(AttemptTest, ...) { env().Enrol(...); }
class TrainingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  void SetUp() override;

  static TrainingTestEnv& env() { return *env_; }

 private:
  static std::unique_ptr<TrainingTestEnv> env_;
  static std::string start_error_;
};

}  // namespace integration::training::testing
