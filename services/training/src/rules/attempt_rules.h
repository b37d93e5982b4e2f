// When a learner may start or submit a quiz attempt: pure rules over plain inputs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/training/v1/resources.pb.h"

namespace integration::training {

namespace v1 = ::lansstyrelsen::integration::training::v1;

// ErrorInfo reasons (all FAILED_PRECONDITION).
inline constexpr std::string_view kReasonModuleNotInEnrolledParts = "MODULE_NOT_IN_ENROLLED_PARTS";
inline constexpr std::string_view kReasonModuleNotPublished = "MODULE_NOT_PUBLISHED";
inline constexpr std::string_view kReasonModuleArchived = "MODULE_ARCHIVED";
inline constexpr std::string_view kReasonModuleHasNoQuiz = "MODULE_HAS_NO_QUIZ";
inline constexpr std::string_view kReasonModuleAlreadyPassed = "MODULE_ALREADY_PASSED";
inline constexpr std::string_view kReasonAttemptLimitReached = "ATTEMPT_LIMIT_REACHED";
inline constexpr std::string_view kReasonRetryTooEarly = "RETRY_TOO_EARLY";
inline constexpr std::string_view kReasonAttemptAlreadySubmitted = "ATTEMPT_ALREADY_SUBMITTED";
inline constexpr std::string_view kReasonAttemptExpired = "ATTEMPT_EXPIRED";

// Everything StartAttempt needs to decide, read by the caller in one transaction.
struct StartInputs {
  // The learner's enrolled parts, as part names ("parts/introduktion").
  std::vector<std::string> enrolled_parts;
  // The part of the module to attempt, as a part name.
  std::string module_part;
  bool module_published = false;
  bool module_archived = false;  // the module or its part was taken out of the course
  bool quiz_present = false;
  // The learner has passed this module already.
  bool already_passed = false;
  // Attempts the learner has started at this module (submitted, expired or in progress).
  int attempts_used = 0;
  // From the current quiz; 0 = unlimited.
  int max_attempts = 0;
  // Submission time of the learner's latest failed attempt at this module, if any.
  std::optional<absl::Time> last_failed_submit_time;
  // From the current quiz.
  int retry_delay_seconds = 0;
  absl::Time now;
};

// OK when the learner may start an attempt; otherwise FAILED_PRECONDITION, checked in this
// order so that the most fundamental obstacle is reported:
//   MODULE_NOT_IN_ENROLLED_PARTS  (metadata part)
//   MODULE_NOT_PUBLISHED
//   MODULE_HAS_NO_QUIZ
//   MODULE_ALREADY_PASSED         a passed module stays passed; another attempt changes
//                                 nothing and would only use up the attempt limit
//   ATTEMPT_LIMIT_REACHED         (metadata max_attempts)
//   RETRY_TOO_EARLY               (metadata retry_after, RFC 3339 UTC, e.g.
//                                 "2026-03-14T09:30:00Z")
absl::Status CanStart(const StartInputs& in);

// OK when an attempt in `state` that expires at `expire_time` may be submitted at `now`;
// FAILED_PRECONDITION ATTEMPT_ALREADY_SUBMITTED, or ATTEMPT_EXPIRED (state EXPIRED or now at
// or after expire_time; metadata expire_time). INTERNAL for an unspecified state.
absl::Status CanSubmit(v1::AttemptState state, absl::Time expire_time, absl::Time now);

// When an attempt started at `start` expires: start + time_limit_seconds, or + 3600 s when
// the limit is 0 (a quiz stored before validation filled in the default).
absl::Time ExpireTime(absl::Time start, int time_limit_seconds);

// Attempts left for ModuleProgress.attempts_left: -1 when unlimited, never below 0.
int AttemptsLeft(int max_attempts, int attempts_used);

// RFC 3339 in UTC with seconds ("2026-03-14T09:30:00Z"), as used in error metadata.
std::string Rfc3339(absl::Time time);

}  // namespace integration::training
