// The early measures service's resource names, each declared once as a names::ResourcePattern;
// the organisationsnummer is then checked (Luhn, form) by the suite's parser.
#include "rules/names.h"

#include <utility>

#include "absl/strings/str_replace.h"
#include "integration/names/resource_name.h"
#include "integration/se/organisationsnummer.h"

namespace integration::early_measures {
namespace {

using names::IsPositiveId;
using names::PatternOptions;
using names::ResourceName;
using names::ResourcePattern;

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Ten digits; the organisationsnummer parser then gives its own reasons (checksum, form).
bool IsTenDigits(std::string_view text) {
  if (text.size() != 10) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

ResourcePattern Declare(std::string_view pattern) {
  PatternOptions options(kReasonNameInvalid, IsPositiveId,
                         "the orgnr is its ten digits and each id a positive integer");
  options.checks.emplace_back("orgnr", IsTenDigits);
  return ResourcePattern::Declare(pattern, std::move(options));
}

const ResourcePattern& OrganisationPattern() {
  static const ResourcePattern p = Declare("organisations/{orgnr}");
  return p;
}
const ResourcePattern& ActivityPattern() {
  static const ResourcePattern p = Declare("organisations/{orgnr}/activities/{activity}");
  return p;
}
const ResourcePattern& ParticipantPattern() {
  static const ResourcePattern p = Declare("organisations/{orgnr}/participants/{participant}");
  return p;
}
const ResourcePattern& SessionPattern() {
  static const ResourcePattern p =
      Declare("organisations/{orgnr}/activities/{activity}/sessions/{session}");
  return p;
}

int64_t Id(const ResourceName& name, std::string_view variable) {
  return names::PositiveId(name[variable]);  // checked by the pattern
}

// "NNNNNN-NNNN" -> "NNNNNNNNNN" for names.
std::string Digits(std::string_view orgnr) {
  return absl::StrReplaceAll(AV(orgnr), {{"-", ""}});
}

absl::StatusOr<std::string> Orgnr(const ResourceName& name, std::string_view field) {
  absl::StatusOr<se::Organisationsnummer> parsed =
      se::ParseOrganisationsnummer(name["orgnr"], field);
  if (!parsed.ok()) return parsed.status();
  return parsed->normalized;
}

}  // namespace

std::string OrganisationName(std::string_view orgnr) {
  return OrganisationPattern().Format(Digits(orgnr));
}
std::string ActivityName(std::string_view orgnr, int64_t activity_id) {
  return ActivityPattern().Format(Digits(orgnr), activity_id);
}
std::string ParticipantName(std::string_view orgnr, int64_t participant_id) {
  return ParticipantPattern().Format(Digits(orgnr), participant_id);
}
std::string SessionName(std::string_view orgnr, int64_t activity_id, int64_t session_id) {
  return SessionPattern().Format(Digits(orgnr), activity_id, session_id);
}

absl::StatusOr<std::string> ParseOrganisationName(std::string_view name, std::string_view field) {
  absl::StatusOr<ResourceName> parsed = OrganisationPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return Orgnr(*parsed, field);
}

absl::StatusOr<ActivityId> ParseActivityName(std::string_view name, std::string_view field) {
  absl::StatusOr<ResourceName> parsed = ActivityPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<std::string> orgnr = Orgnr(*parsed, field);
  if (!orgnr.ok()) return orgnr.status();
  return ActivityId{*std::move(orgnr), Id(*parsed, "activity")};
}

absl::StatusOr<ParticipantId> ParseParticipantName(std::string_view name,
                                                   std::string_view field) {
  absl::StatusOr<ResourceName> parsed = ParticipantPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<std::string> orgnr = Orgnr(*parsed, field);
  if (!orgnr.ok()) return orgnr.status();
  return ParticipantId{*std::move(orgnr), Id(*parsed, "participant")};
}

absl::StatusOr<SessionId> ParseSessionName(std::string_view name, std::string_view field) {
  absl::StatusOr<ResourceName> parsed = SessionPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<std::string> orgnr = Orgnr(*parsed, field);
  if (!orgnr.ok()) return orgnr.status();
  return SessionId{ActivityId{*std::move(orgnr), Id(*parsed, "activity")},
                   Id(*parsed, "session")};
}

}  // namespace integration::early_measures
