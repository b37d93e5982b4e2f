// Rules of calls for applications: the fields of a call and its state machine
// DRAFT → OPEN → CLOSED → ARCHIVED. Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"
#include "rules/values_rules.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

// ErrorInfo reasons.
inline constexpr std::string_view kReasonCallInvalid = "CALL_INVALID";
inline constexpr std::string_view kReasonCallNotDraft = "CALL_NOT_DRAFT";
inline constexpr std::string_view kReasonCallNotOpen = "CALL_NOT_OPEN";
inline constexpr std::string_view kReasonCallNotClosed = "CALL_NOT_CLOSED";
inline constexpr std::string_view kReasonCallCloseTimePassed = "CALL_CLOSE_TIME_PASSED";

inline constexpr size_t kMaxCallTitleBytes = 300;
inline constexpr size_t kMaxCallDescriptionBytes = 20000;
inline constexpr int kMaxCriteria = 50;
inline constexpr int kMinCriterionWeight = 1;
inline constexpr int kMaxCriterionWeight = 100;

// Whether `id` is 1-40 of [a-z0-9-] (a criterion id).
bool IsValidCriterionId(std::string_view id);

// Checks the fields an administrator writes (not name, programme or output-only fields):
// title required; open_time and close_time set, open before close; budget positive; max per
// application positive and at most the budget; funding period complete and ordered; at least
// one criterion, ids valid and unique, titles set, weights 1-100. Violations are named
// "<field>.title", "<field>.criteria[2].weight", ...
absl::Status ValidateCall(const v1::Call& call, std::string_view field);

// What an administrator does to a call.
enum class CallAction { kUpdate, kOpen, kClose, kArchive };

// The stored state after `action` on a call whose state callers see is `effective` (an OPEN
// call past its close time is CLOSED), or FAILED_PRECONDITION: update only a DRAFT
// (CALL_NOT_DRAFT), open only a DRAFT whose close time is still ahead (CALL_NOT_DRAFT,
// CALL_CLOSE_TIME_PASSED), close only an OPEN one (CALL_NOT_OPEN), archive only a CLOSED one,
// also when it closed by reaching its close time (CALL_NOT_CLOSED). Errors carry metadata
// {resource, state} (the effective state's name).
absl::StatusOr<v1::CallState> NextCallState(CallAction action, v1::CallState effective,
                                            absl::Time close_time, absl::Time now,
                                            std::string_view resource);

// The stored form of a state ("DRAFT", "OPEN", "CLOSED", "ARCHIVED"; "" for UNSPECIFIED).
std::string_view StoredCallState(v1::CallState state);

// The state of the stored form ("DRAFT", ...); UNSPECIFIED for anything else.
v1::CallState CallStateOf(std::string_view stored);

// The state callers see: an OPEN call whose close_time has passed is CLOSED.
v1::CallState EffectiveCallState(std::string_view stored_state, absl::Time close_time,
                                 absl::Time now);

// A call as stored (call_repository.h reads it) with the proto callers see.
struct CallRecord {
  int64_t call_id = 0;
  std::string programme_id;
  std::string lanskod;
  std::string stored_state;  // "DRAFT", "OPEN", "CLOSED", "ARCHIVED" as stored
  absl::Time open_time;
  absl::Time close_time;
  int64_t budget_ore = 0;
  int64_t max_per_application_ore = 0;
  Period funding;
  int64_t approved_total_ore = 0;
  int64_t revision = 0;
  v1::Call call;  // the proto, with the effective state (see EffectiveCallState)

  // Whether submissions are accepted at `now`: OPEN and open_time <= now < close_time.
  bool AcceptsSubmissions(absl::Time now) const;
};

}  // namespace integration::grants
