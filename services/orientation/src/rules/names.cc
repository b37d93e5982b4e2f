// The orientation service's resource names, each declared once as a names::ResourcePattern
// (integration/names/resource_name.h); kommun codes are then checked against the official list.
#include "rules/names.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "integration/names/resource_name.h"
#include "integration/se/kommun.h"

namespace integration::orientation {
namespace {

using names::IsPositiveId;
using names::PatternOptions;
using names::ResourceName;
using names::ResourcePattern;

// Kommun codes pass the shape here; ValidateKommunkod gives its own reason afterwards.
bool AnyCode(std::string_view) { return true; }

constexpr char kIdsHint[] = "each id is a positive integer";

ResourcePattern Declare(std::string_view pattern, std::string_view hint) {
  PatternOptions options(kReasonNameInvalid, IsPositiveId, hint);
  if (pattern.find("{kommunkod}") != std::string_view::npos) {
    options.checks.emplace_back("kommunkod", AnyCode);
  }
  return ResourcePattern::Declare(pattern, std::move(options));
}

const ResourcePattern& OfferingPattern() {
  static const ResourcePattern p = Declare("offerings/{offering}", kIdsHint);
  return p;
}
const ResourcePattern& SessionPattern() {
  static const ResourcePattern p = Declare("offerings/{offering}/sessions/{session}", kIdsHint);
  return p;
}
const ResourcePattern& KommunPattern() {
  static const ResourcePattern p = Declare("kommuner/{kommunkod}", "");
  return p;
}
const ResourcePattern& ParticipantPattern() {
  static const ResourcePattern p =
      Declare("kommuner/{kommunkod}/participants/{participant}", kIdsHint);
  return p;
}
const ResourcePattern& EnrolmentPattern() {
  static const ResourcePattern p =
      Declare("kommuner/{kommunkod}/participants/{participant}/enrolments/{enrolment}", kIdsHint);
  return p;
}

int64_t Id(const ResourceName& name, std::string_view variable) {
  return names::PositiveId(name[variable]);  // checked by the pattern
}

absl::StatusOr<std::string> Kommunkod(const ResourceName& name, std::string_view field) {
  std::string code(name["kommunkod"]);
  if (absl::Status st = se::ValidateKommunkod(code, field); !st.ok()) return st;
  return code;
}

absl::StatusOr<ParticipantId> ParticipantOf(const ResourceName& name, std::string_view field) {
  absl::StatusOr<std::string> kommunkod = Kommunkod(name, field);
  if (!kommunkod.ok()) return kommunkod.status();
  return ParticipantId{*std::move(kommunkod), Id(name, "participant")};
}

}  // namespace

std::string OfferingName(int64_t offering_id) { return OfferingPattern().Format(offering_id); }
std::string SessionName(int64_t offering_id, int64_t session_id) {
  return SessionPattern().Format(offering_id, session_id);
}
std::string KommunName(std::string_view kommunkod) { return KommunPattern().Format(kommunkod); }
std::string ParticipantName(std::string_view kommunkod, int64_t participant_id) {
  return ParticipantPattern().Format(kommunkod, participant_id);
}
std::string EnrolmentName(std::string_view kommunkod, int64_t participant_id,
                          int64_t enrolment_id) {
  return EnrolmentPattern().Format(kommunkod, participant_id, enrolment_id);
}

absl::StatusOr<int64_t> ParseOfferingName(std::string_view name, std::string_view field) {
  absl::StatusOr<ResourceName> parsed = OfferingPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return Id(*parsed, "offering");
}

absl::StatusOr<SessionId> ParseSessionName(std::string_view name, std::string_view field) {
  absl::StatusOr<ResourceName> parsed = SessionPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return SessionId{Id(*parsed, "offering"), Id(*parsed, "session")};
}

absl::StatusOr<std::string> ParseKommunName(std::string_view name, std::string_view field) {
  absl::StatusOr<ResourceName> parsed = KommunPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return Kommunkod(*parsed, field);
}

absl::StatusOr<ParticipantId> ParseParticipantName(std::string_view name, std::string_view field) {
  absl::StatusOr<ResourceName> parsed = ParticipantPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  return ParticipantOf(*parsed, field);
}

absl::StatusOr<EnrolmentId> ParseEnrolmentName(std::string_view name, std::string_view field) {
  absl::StatusOr<ResourceName> parsed = EnrolmentPattern().Parse(name, field);
  if (!parsed.ok()) return parsed.status();
  absl::StatusOr<ParticipantId> participant = ParticipantOf(*parsed, field);
  if (!participant.ok()) return participant.status();
  return EnrolmentId{*std::move(participant), Id(*parsed, "enrolment")};
}

}  // namespace integration::orientation
