// Start and submit rules of quiz attempts.
#include "rules/attempt_rules.h"

#include <algorithm>

#include "rules/content_rules.h"
#include "integration/status/status.h"

namespace integration::training {

using integration::status::FailedPrecondition;

std::string Rfc3339(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone());
}

namespace {

// Whole seconds for display, rounded up so that "retry after" is never a moment too early.
absl::Time CeilToSecond(absl::Time time) {
  absl::Time floor = absl::FromUnixSeconds(absl::ToUnixSeconds(time));
  return floor < time ? floor + absl::Seconds(1) : floor;
}

}  // namespace

absl::Status CanStart(const StartInputs& in) {
  if (std::find(in.enrolled_parts.begin(), in.enrolled_parts.end(), in.module_part) ==
      in.enrolled_parts.end()) {
    return FailedPrecondition(
        kReasonModuleNotInEnrolledParts,
        "the module belongs to " + in.module_part +
            ", which the learner is not enrolled in; add the part to the enrolment first",
        {{"part", in.module_part}});
  }
  if (in.module_archived) {
    return FailedPrecondition(kReasonModuleArchived,
                              "the module is no longer part of the course (archived)");
  }
  if (!in.module_published) {
    return FailedPrecondition(kReasonModuleNotPublished, "the module is not published yet");
  }
  if (!in.quiz_present) {
    return FailedPrecondition(kReasonModuleHasNoQuiz, "the module has no quiz");
  }
  if (in.already_passed) {
    return FailedPrecondition(kReasonModuleAlreadyPassed,
                              "the learner has already passed this module");
  }
  if (in.max_attempts > 0 && in.attempts_used >= in.max_attempts) {
    return FailedPrecondition(
        kReasonAttemptLimitReached,
        "all " + std::to_string(in.max_attempts) + " attempts at this module are used",
        {{"max_attempts", std::to_string(in.max_attempts)}});
  }
  if (in.last_failed_submit_time.has_value() && in.retry_delay_seconds > 0) {
    const absl::Time retry_after =
        *in.last_failed_submit_time + absl::Seconds(in.retry_delay_seconds);
    if (in.now < retry_after) {
      const std::string when = Rfc3339(CeilToSecond(retry_after));
      return FailedPrecondition(kReasonRetryTooEarly, "a new attempt can be started from " + when,
                                {{"retry_after", when}});
    }
  }
  return absl::OkStatus();
}

absl::Status CanSubmit(v1::AttemptState state, absl::Time expire_time, absl::Time now) {
  switch (state) {
    case v1::ATTEMPT_STATE_SUBMITTED:
      return FailedPrecondition(kReasonAttemptAlreadySubmitted,
                                "the attempt is already submitted and scored");
    case v1::ATTEMPT_STATE_EXPIRED:
      break;
    case v1::ATTEMPT_STATE_IN_PROGRESS:
      if (now < expire_time) return absl::OkStatus();
      break;
    default:
      return integration::status::Internal("attempt has an unspecified state");
  }
  const std::string when = Rfc3339(expire_time);
  return FailedPrecondition(kReasonAttemptExpired,
                            "the attempt expired at " + when + "; start a new attempt",
                            {{"expire_time", when}});
}

absl::Time ExpireTime(absl::Time start, int time_limit_seconds) {
  return start +
         absl::Seconds(time_limit_seconds > 0 ? time_limit_seconds : kDefaultTimeLimitSeconds);
}

int AttemptsLeft(int max_attempts, int attempts_used) {
  if (max_attempts <= 0) return -1;
  return std::max(0, max_attempts - attempts_used);
}

}  // namespace integration::training
