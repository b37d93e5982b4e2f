// The resource names of the early measures service, printed and parsed in this one place
// through the suite's names::ResourcePattern: "organisations/{orgnr}",
// "organisations/{orgnr}/activities/{activity}", "organisations/{orgnr}/participants/{participant}"
// and "organisations/{orgnr}/activities/{activity}/sessions/{session}". The orgnr in a name is
// the ten digits without the dash; inside the service it is the normalised "NNNNNN-NNNN".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace integration::early_measures {

// ErrorInfo reason of a malformed name (INVALID_ARGUMENT with a violation on the field).
inline constexpr std::string_view kReasonNameInvalid = "NAME_INVALID";

struct ActivityId {
  std::string orgnr;  // "NNNNNN-NNNN"
  int64_t activity_id = 0;
};

struct ParticipantId {
  std::string orgnr;
  int64_t participant_id = 0;
};

struct SessionId {
  ActivityId activity;
  int64_t session_id = 0;
};

std::string OrganisationName(std::string_view orgnr);
std::string ActivityName(std::string_view orgnr, int64_t activity_id);
std::string ParticipantName(std::string_view orgnr, int64_t participant_id);
std::string SessionName(std::string_view orgnr, int64_t activity_id, int64_t session_id);

// The normalised orgnr of "organisations/{orgnr}" (a valid organisationsnummer, its own
// reason otherwise). `field` names the request field in the violation.
absl::StatusOr<std::string> ParseOrganisationName(std::string_view name, std::string_view field);
absl::StatusOr<ActivityId> ParseActivityName(std::string_view name, std::string_view field);
absl::StatusOr<ParticipantId> ParseParticipantName(std::string_view name, std::string_view field);
absl::StatusOr<SessionId> ParseSessionName(std::string_view name, std::string_view field);

}  // namespace integration::early_measures
