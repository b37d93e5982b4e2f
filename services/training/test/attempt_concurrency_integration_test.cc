// Races on one learner's attempts through the real server and PostgreSQL: two submits of one
// attempt score it exactly once, and concurrent starts never exceed the attempt limit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "training_test_env.h"

namespace integration::training::testing {
namespace {

constexpr char kIntro[] = "introduktion";
constexpr char kModule[] = "mottagande";
constexpr char kModuleName[] = "parts/introduktion/modules/mottagande";

class ConcurrencyTest : public TrainingTest {};

// Runs `calls` at once (released together) and returns their statuses.
std::vector<::grpc::Status> RunTogether(const std::vector<std::function<::grpc::Status()>>& calls) {
  std::vector<::grpc::Status> results(calls.size());
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (size_t i = 0; i < calls.size(); ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (!go.load()) std::this_thread::yield();
      results[i] = calls[i]();
    });
  }
  while (ready.load() < static_cast<int>(calls.size())) std::this_thread::yield();
  go.store(true);
  for (std::thread& t : threads) t.join();
  return results;
}

TEST_F(ConcurrencyTest, TwoSubmitsOfOneAttemptScoreItExactlyOnce) {
  const v1::Quiz quiz = MakeQuiz();
  ASSERT_TRUE(env().CreatePart(kIntro, "Introduktion", 1).ok());
  ASSERT_TRUE(env().PublishedModule(kIntro, kModule, quiz).ok());
  ASSERT_TRUE(env().Enrol("anna", {kIntro}).ok());

  constexpr int kRounds = 6;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    absl::StatusOr<v1::Attempt> attempt = env().Start("anna", kIntro, kModule);
    ASSERT_TRUE(attempt.ok()) << attempt.status();
    // The last round passes (and issues what a pass issues); earlier rounds fail, so that the
    // module can be started again.
    const bool pass = round == kRounds - 1;
    const std::vector<v1::Answer> answers =
        pass ? RightAnswers(*attempt, quiz) : WrongAnswers(*attempt, quiz);
    v1::SubmitAttemptRequest req;
    req.set_name(attempt->name());
    for (const v1::Answer& a : answers) *req.add_answers() = a;
    const std::string token = env().LearnerToken("anna");
    auto submit = [&]() {
      v1::Attempt out;
      return env().Call(&Stub::SubmitAttempt, token, req, &out);
    };
    std::vector<::grpc::Status> results = RunTogether({submit, submit});
    int ok = 0;
    int already = 0;
    for (const ::grpc::Status& st : results) {
      if (st.ok()) {
        ++ok;
      } else if (st.error_code() == ::grpc::StatusCode::FAILED_PRECONDITION &&
                 ReasonOf(st) == "ATTEMPT_ALREADY_SUBMITTED") {
        ++already;
      } else {
        ADD_FAILURE() << "unexpected: " << Describe(st);
      }
    }
    EXPECT_EQ(ok, 1);
    EXPECT_EQ(already, 1);
    EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'attempt.submit'"
                          " AND resource = '" +
                          attempt->name() + "'"),
              1);
  }
  EXPECT_EQ(env().Count("SELECT count(*) FROM attempts WHERE state = 'SUBMITTED'"), kRounds);
  EXPECT_EQ(env().Count("SELECT count(*) FROM attempts WHERE passed"), 1);
  EXPECT_EQ(env().Count("SELECT count(*) FROM outbox WHERE event_type = "
                        "'lansstyrelsen.integration.training.v1.ModulePassedEvent'"),
            1);
}

TEST_F(ConcurrencyTest, ConcurrentStartsNeverExceedTheAttemptLimit) {
  ASSERT_TRUE(env().CreatePart(kIntro, "Introduktion", 1).ok());
  ASSERT_TRUE(env().PublishedModule(kIntro, kModule, MakeQuiz({.max_attempts = 3})).ok());
  ASSERT_TRUE(env().Enrol("anna", {kIntro}).ok());

  const std::string token = env().LearnerToken("anna");
  v1::StartAttemptRequest req;
  req.set_parent(env().Learners("anna"));
  req.set_module(kModuleName);
  auto start = [&]() {
    v1::Attempt out;
    return env().Call(&Stub::StartAttempt, token, req, &out);
  };
  std::vector<::grpc::Status> results =
      RunTogether(std::vector<std::function<::grpc::Status()>>(8, start));
  int ok = 0;
  for (const ::grpc::Status& st : results) {
    if (st.ok()) {
      ++ok;
      continue;
    }
    // A start that lost a race is told so (retryable) or finds the limit reached.
    const bool limit = st.error_code() == ::grpc::StatusCode::FAILED_PRECONDITION &&
                       ReasonOf(st) == "ATTEMPT_LIMIT_REACHED";
    const bool raced = st.error_code() == ::grpc::StatusCode::ABORTED;
    EXPECT_TRUE(limit || raced) << Describe(st);
  }
  EXPECT_LE(ok, 3);
  EXPECT_LE(env().Count("SELECT count(*) FROM attempts"), 3);
  // Retrying the losers fills the limit and no more.
  for (int i = 0; i < 8; ++i) start();
  EXPECT_EQ(env().Count("SELECT count(*) FROM attempts"), 3);
  EXPECT_EQ(env().Count("SELECT count(DISTINCT attempt_number) FROM attempts"), 3);
  EXPECT_EQ(env().Count("SELECT max(attempt_number) FROM attempts"), 3);
}

}  // namespace
}  // namespace integration::training::testing
