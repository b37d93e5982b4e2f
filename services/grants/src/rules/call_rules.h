// Rules of calls for applications: the fields of a call and its state machine
// DRAFT → OPEN → CLOSED → ARCHIVED. Pure functions, no I/O.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"

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

}  // namespace integration::grants
