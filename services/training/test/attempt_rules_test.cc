// Unit tests for when an attempt may be started and submitted.
#include "rules/attempt_rules.h"

#include <string>

#include "gtest/gtest.h"
#include "integration/status/status.h"

namespace integration::training {
namespace {

std::string Reason(const absl::Status& status) {
  auto info = integration::status::GetErrorInfo(status);
  return info ? info->reason() : "";
}

std::string Metadata(const absl::Status& status, const std::string& key) {
  auto info = integration::status::GetErrorInfo(status);
  if (!info || !info->metadata().contains(key)) return "<missing>";
  return info->metadata().at(key);
}

const absl::Time kNow = absl::FromUnixSeconds(1773480600);  // 2026-03-14T09:30:00Z

StartInputs Allowed() {
  StartInputs in;
  in.enrolled_parts = {"parts/introduktion", "parts/kulturkunskap"};
  in.module_part = "parts/kulturkunskap";
  in.module_published = true;
  in.quiz_present = true;
  in.attempts_used = 1;
  in.max_attempts = 3;
  in.last_failed_submit_time = kNow - absl::Minutes(30);
  in.retry_delay_seconds = 600;
  in.now = kNow;
  return in;
}

void ExpectRejected(const StartInputs& in, std::string_view reason) {
  absl::Status status = CanStart(in);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(Reason(status), reason);
}

TEST(CanStartTest, AllowsWhenEveryRuleHolds) {
  EXPECT_TRUE(CanStart(Allowed()).ok()) << CanStart(Allowed());
  StartInputs first = Allowed();
  first.attempts_used = 0;
  first.last_failed_submit_time.reset();
  EXPECT_TRUE(CanStart(first).ok());
}

TEST(CanStartTest, ModuleMustBeInAnEnrolledPart) {
  StartInputs in = Allowed();
  in.module_part = "parts/asylprocessen";
  ExpectRejected(in, "MODULE_NOT_IN_ENROLLED_PARTS");
  EXPECT_EQ(Metadata(CanStart(in), "part"), "parts/asylprocessen");
  in.enrolled_parts.clear();
  ExpectRejected(in, "MODULE_NOT_IN_ENROLLED_PARTS");
}

TEST(CanStartTest, ModuleMustBePublishedWithAQuiz) {
  StartInputs in = Allowed();
  in.module_published = false;
  ExpectRejected(in, "MODULE_NOT_PUBLISHED");
  in = Allowed();
  in.quiz_present = false;
  ExpectRejected(in, "MODULE_HAS_NO_QUIZ");
}

TEST(CanStartTest, AnArchivedModuleIsNotStarted) {
  StartInputs in = Allowed();
  in.module_published = false;
  in.module_archived = true;
  ExpectRejected(in, "MODULE_ARCHIVED");
}

TEST(CanStartTest, APassedModuleIsNotTakenAgain) {
  StartInputs in = Allowed();
  in.already_passed = true;
  ExpectRejected(in, "MODULE_ALREADY_PASSED");
}

TEST(CanStartTest, AttemptLimit) {
  StartInputs in = Allowed();
  in.attempts_used = 3;
  ExpectRejected(in, "ATTEMPT_LIMIT_REACHED");
  EXPECT_EQ(Metadata(CanStart(in), "max_attempts"), "3");
  in.attempts_used = 2;
  EXPECT_TRUE(CanStart(in).ok());
  in.max_attempts = 0;  // unlimited
  in.attempts_used = 500;
  EXPECT_TRUE(CanStart(in).ok());
}

TEST(CanStartTest, RetryDelayAfterAFailedAttempt) {
  StartInputs in = Allowed();
  in.last_failed_submit_time = kNow - absl::Seconds(599);
  ExpectRejected(in, "RETRY_TOO_EARLY");
  EXPECT_EQ(Metadata(CanStart(in), "retry_after"), "2026-03-14T09:30:01Z");

  in.last_failed_submit_time = kNow - absl::Seconds(600);
  EXPECT_TRUE(CanStart(in).ok());
  in.last_failed_submit_time = kNow;
  in.retry_delay_seconds = 0;
  EXPECT_TRUE(CanStart(in).ok());
  in.retry_delay_seconds = 600;
  in.last_failed_submit_time.reset();
  EXPECT_TRUE(CanStart(in).ok());
}

TEST(CanStartTest, RetryAfterIsRoundedUpToTheSecond) {
  StartInputs in = Allowed();
  in.last_failed_submit_time = kNow - absl::Seconds(100) + absl::Milliseconds(250);
  EXPECT_EQ(Metadata(CanStart(in), "retry_after"), "2026-03-14T09:38:21Z");
}

TEST(CanStartTest, ReportsTheMostFundamentalObstacleFirst) {
  StartInputs in = Allowed();
  in.module_part = "parts/asylprocessen";
  in.module_published = false;
  in.quiz_present = false;
  in.already_passed = true;
  in.attempts_used = 3;
  in.last_failed_submit_time = kNow;
  ExpectRejected(in, "MODULE_NOT_IN_ENROLLED_PARTS");
  in.module_part = "parts/introduktion";
  ExpectRejected(in, "MODULE_NOT_PUBLISHED");
  in.module_published = true;
  ExpectRejected(in, "MODULE_HAS_NO_QUIZ");
  in.quiz_present = true;
  ExpectRejected(in, "MODULE_ALREADY_PASSED");
  in.already_passed = false;
  ExpectRejected(in, "ATTEMPT_LIMIT_REACHED");
  in.attempts_used = 2;
  ExpectRejected(in, "RETRY_TOO_EARLY");
}

TEST(CanSubmitTest, InProgressBeforeExpiry) {
  EXPECT_TRUE(CanSubmit(v1::ATTEMPT_STATE_IN_PROGRESS, kNow + absl::Seconds(1), kNow).ok());
}

TEST(CanSubmitTest, ExpiredAtOrAfterTheExpireTime) {
  for (absl::Time expire : {kNow, kNow - absl::Hours(1)}) {
    absl::Status status = CanSubmit(v1::ATTEMPT_STATE_IN_PROGRESS, expire, kNow);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(Reason(status), "ATTEMPT_EXPIRED");
    EXPECT_EQ(Metadata(status, "expire_time"), Rfc3339(expire));
  }
  absl::Status marked = CanSubmit(v1::ATTEMPT_STATE_EXPIRED, kNow + absl::Hours(1), kNow);
  EXPECT_EQ(Reason(marked), "ATTEMPT_EXPIRED");
}

TEST(CanSubmitTest, AlreadySubmitted) {
  for (absl::Time expire : {kNow + absl::Hours(1), kNow - absl::Hours(1)}) {
    absl::Status status = CanSubmit(v1::ATTEMPT_STATE_SUBMITTED, expire, kNow);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(Reason(status), "ATTEMPT_ALREADY_SUBMITTED");
  }
}

TEST(CanSubmitTest, UnspecifiedStateIsInternal) {
  EXPECT_EQ(CanSubmit(v1::ATTEMPT_STATE_UNSPECIFIED, kNow + absl::Hours(1), kNow).code(),
            absl::StatusCode::kInternal);
}

TEST(AttemptHelpersTest, ExpireTimeAttemptsLeftAndRfc3339) {
  EXPECT_EQ(ExpireTime(kNow, 120), kNow + absl::Seconds(120));
  EXPECT_EQ(ExpireTime(kNow, 0), kNow + absl::Hours(1));
  EXPECT_EQ(AttemptsLeft(0, 7), -1);
  EXPECT_EQ(AttemptsLeft(3, 1), 2);
  EXPECT_EQ(AttemptsLeft(3, 5), 0);
  EXPECT_EQ(Rfc3339(kNow), "2026-03-14T09:30:00Z");
}

}  // namespace
}  // namespace integration::training
