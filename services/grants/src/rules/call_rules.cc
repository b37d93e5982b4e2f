// Rules of calls: required fields, money and time bounds, criteria and the state machine.
#include "rules/call_rules.h"

#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "integration/status/status.h"
#include "rules/state_rules.h"
#include "rules/values_rules.h"

namespace integration::grants {
namespace {

// Whether `text` is empty or only ASCII white space.
bool Blank(std::string_view text) {
  for (char c : text) {
    if (!absl::ascii_isspace(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range of google.protobuf.Timestamp.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

bool IsValidTimestamp(const google::protobuf::Timestamp& t) {
  return t.seconds() >= kMinTimestampSeconds && t.seconds() <= kMaxTimestampSeconds &&
         t.nanos() >= 0 && t.nanos() <= 999999999;
}

absl::Time ToTime(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

void CheckText(status::FieldErrors& errors, const std::string& field, std::string_view text,
               size_t max_bytes, bool required) {
  if (required && Blank(text)) {
    errors.Add(field, "required");
  } else if (text.size() > max_bytes) {
    errors.Add(field, absl::StrCat("at most ", max_bytes, " bytes"));
  }
}

std::string_view StateName(v1::CallState state) {
  std::string_view stored = StoredCallState(state);
  return stored.empty() ? "UNSPECIFIED" : stored;
}

absl::Status NotIn(std::string_view reason, std::string_view resource, v1::CallState state,
                   std::string_view message) {
  return WrongState(reason, resource, StateName(state),
                    absl::StrCat(std::string(resource), " is ", std::string(StateName(state)), ": ",
                                 std::string(message)));
}

}  // namespace

bool IsValidCriterionId(std::string_view id) {
  if (id.empty() || id.size() > 40) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

absl::Status ValidateCall(const v1::Call& call, std::string_view field) {
  status::FieldErrors errors;
  const std::string base(field);
  CheckText(errors, base + ".title", call.title(), kMaxCallTitleBytes, true);
  CheckText(errors, base + ".description", call.description(), kMaxCallDescriptionBytes, false);

  bool times_ok = true;
  if (!call.has_open_time()) {
    errors.Add(base + ".open_time", "required");
    times_ok = false;
  } else if (!IsValidTimestamp(call.open_time())) {
    errors.Add(base + ".open_time", "must be a valid timestamp");
    times_ok = false;
  }
  if (!call.has_close_time()) {
    errors.Add(base + ".close_time", "required");
    times_ok = false;
  } else if (!IsValidTimestamp(call.close_time())) {
    errors.Add(base + ".close_time", "must be a valid timestamp");
    times_ok = false;
  }
  if (times_ok && ToTime(call.close_time()) <= ToTime(call.open_time())) {
    errors.Add(base + ".close_time", "must be after open_time");
  }

  const int64_t budget = call.budget().ore();
  const int64_t max = call.max_amount_per_application().ore();
  if (budget <= 0) errors.Add(base + ".budget", "must be a positive amount in öre");
  if (max <= 0) {
    errors.Add(base + ".max_amount_per_application", "must be a positive amount in öre");
  } else if (budget > 0 && max > budget) {
    errors.Add(base + ".max_amount_per_application",
               absl::StrCat("must not exceed the budget (", FormatKronor(budget), ")"));
  }

  if (!call.has_funding_period()) {
    errors.Add(base + ".funding_period", "required");
  } else {
    CheckPeriod(call.funding_period(), base + ".funding_period", errors);
  }

  if (call.criteria_size() == 0) {
    errors.Add(base + ".criteria", "at least one assessment criterion is required");
  } else if (call.criteria_size() > kMaxCriteria) {
    errors.Add(base + ".criteria", absl::StrCat("at most ", kMaxCriteria, " criteria"));
  }
  std::set<std::string> ids;
  for (int i = 0; i < call.criteria_size(); ++i) {
    const v1::Criterion& c = call.criteria(i);
    const std::string f = absl::StrCat(base, ".criteria[", i, "]");
    if (!IsValidCriterionId(c.id())) {
      errors.Add(f + ".id", "must be 1-40 lower-case letters, digits or '-'");
    } else if (!ids.insert(c.id()).second) {
      errors.Add(f + ".id", absl::StrCat("\"", c.id(), "\" is used by another criterion"));
    }
    CheckText(errors, f + ".title", c.title(), kMaxCallTitleBytes, true);
    if (c.weight() < kMinCriterionWeight || c.weight() > kMaxCriterionWeight) {
      errors.Add(f + ".weight",
                 absl::StrCat("must be ", kMinCriterionWeight, "-", kMaxCriterionWeight));
    }
  }
  return errors.ToStatus(kReasonCallInvalid);
}

absl::StatusOr<v1::CallState> NextCallState(CallAction action, v1::CallState effective,
                                            absl::Time close_time, absl::Time now,
                                            std::string_view resource) {
  switch (action) {
    case CallAction::kUpdate:
      if (effective != v1::CALL_STATE_DRAFT) {
        return NotIn(kReasonCallNotDraft, resource, effective, "only a DRAFT call can change");
      }
      return v1::CALL_STATE_DRAFT;
    case CallAction::kOpen:
      if (effective != v1::CALL_STATE_DRAFT) {
        return NotIn(kReasonCallNotDraft, resource, effective, "only a DRAFT call can be opened");
      }
      if (now >= close_time) {
        return status::FailedPrecondition(
            kReasonCallCloseTimePassed,
            absl::StrCat(std::string(resource),
                         " cannot be opened: its close_time has passed; change it first"),
            {{"resource", std::string(resource)}});
      }
      return v1::CALL_STATE_OPEN;
    case CallAction::kClose:
      if (effective != v1::CALL_STATE_OPEN) {
        return NotIn(kReasonCallNotOpen, resource, effective, "only an OPEN call can be closed");
      }
      return v1::CALL_STATE_CLOSED;
    case CallAction::kArchive:
      if (effective != v1::CALL_STATE_CLOSED) {
        return NotIn(kReasonCallNotClosed, resource, effective,
                     "only a CLOSED call can be archived");
      }
      return v1::CALL_STATE_ARCHIVED;
  }
  return status::Internal("unknown call action");
}

std::string_view StoredCallState(v1::CallState state) {
  switch (state) {
    case v1::CALL_STATE_DRAFT:
      return "DRAFT";
    case v1::CALL_STATE_OPEN:
      return "OPEN";
    case v1::CALL_STATE_CLOSED:
      return "CLOSED";
    case v1::CALL_STATE_ARCHIVED:
      return "ARCHIVED";
    default:
      return "";
  }
}

v1::CallState CallStateOf(std::string_view stored) {
  if (stored == "DRAFT") return v1::CALL_STATE_DRAFT;
  if (stored == "OPEN") return v1::CALL_STATE_OPEN;
  if (stored == "CLOSED") return v1::CALL_STATE_CLOSED;
  if (stored == "ARCHIVED") return v1::CALL_STATE_ARCHIVED;
  return v1::CALL_STATE_UNSPECIFIED;
}

v1::CallState EffectiveCallState(std::string_view stored_state, absl::Time close_time,
                                 absl::Time now) {
  if (stored_state == "OPEN" && now >= close_time) return v1::CALL_STATE_CLOSED;
  return CallStateOf(stored_state);
}

bool CallRecord::AcceptsSubmissions(absl::Time now) const {
  return stored_state == "OPEN" && open_time <= now && now < close_time;
}

}  // namespace integration::grants
