// The resource names of the orientation service, printed and parsed in this one place through
// the suite's names::ResourcePattern: "offerings/{offering}",
// "offerings/{offering}/sessions/{session}", "kommuner/{kommunkod}",
// "kommuner/{kommunkod}/participants/{participant}" and
// "kommuner/{kommunkod}/participants/{participant}/enrolments/{enrolment}".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace integration::orientation {

// ErrorInfo reason of a malformed name (INVALID_ARGUMENT with a violation on the field).
inline constexpr std::string_view kReasonNameInvalid = "NAME_INVALID";

struct SessionId {
  int64_t offering_id = 0;
  int64_t session_id = 0;
};

struct ParticipantId {
  std::string kommunkod;
  int64_t participant_id = 0;
};

struct EnrolmentId {
  ParticipantId participant;
  int64_t enrolment_id = 0;
};

std::string OfferingName(int64_t offering_id);
std::string SessionName(int64_t offering_id, int64_t session_id);
std::string KommunName(std::string_view kommunkod);
std::string ParticipantName(std::string_view kommunkod, int64_t participant_id);
std::string EnrolmentName(std::string_view kommunkod, int64_t participant_id, int64_t enrolment_id);

// `field` names the request field in the violation. Kommun codes must be known kommuner
// (KOMMUNKOD_UNKNOWN otherwise).
absl::StatusOr<int64_t> ParseOfferingName(std::string_view name, std::string_view field);
absl::StatusOr<SessionId> ParseSessionName(std::string_view name, std::string_view field);
absl::StatusOr<std::string> ParseKommunName(std::string_view name, std::string_view field);
absl::StatusOr<ParticipantId> ParseParticipantName(std::string_view name, std::string_view field);
absl::StatusOr<EnrolmentId> ParseEnrolmentName(std::string_view name, std::string_view field);

}  // namespace integration::orientation
