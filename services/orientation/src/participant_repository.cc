// Participants, enrolments and attendance in PostgreSQL (see participant_repository.h).
#include "participant_repository.h"

#include <utility>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "integration/api/handler.h"
#include "integration/dates/day.h"
#include "integration/status/status.h"
#include "offering_repository.h"
#include "rules/names.h"

namespace integration::orientation {
namespace {

absl::StatusOr<absl::CivilDay> DayColumn(const pqxx::field& field) {
  std::optional<absl::CivilDay> day = dates::ParseDayText(field.as<std::string>());
  if (!day) return status::Internal("a stored date is unreadable");
  return *day;
}

absl::StatusOr<ParticipantRecord> ParticipantFromRow(const pqxx::row& row) {
  ParticipantRecord out;
  out.participant_id = row["participant_id"].as<int64_t>();
  out.kommunkod = row["kommunkod"].as<std::string>();
  absl::StatusOr<absl::CivilDay> birth = DayColumn(row["birth_date"]);
  absl::StatusOr<absl::CivilDay> registered = DayColumn(row["registration_date"]);
  absl::StatusOr<absl::CivilDay> first = DayColumn(row["first_registration_date"]);
  if (!birth.ok() || !registered.ok() || !first.ok()) {
    return status::Internal("a stored participant date is unreadable");
  }
  out.birth_date = *birth;
  out.registration_date = *registered;
  out.first_registration_date = *first;
  v1::Participant& p = out.participant;
  p.set_name(ParticipantName(out.kommunkod, out.participant_id));
  v1::IdentityKind kind = v1::IDENTITY_KIND_UNSPECIFIED;
  v1::PermitType permit = v1::PERMIT_TYPE_UNSPECIFIED;
  if (!v1::IdentityKind_Parse(row["identity_kind"].as<std::string>(), &kind) ||
      !v1::PermitType_Parse(row["permit_type"].as<std::string>(), &permit)) {
    return status::Internal("a stored participant enum is unreadable");
  }
  p.set_identity_kind(kind);
  *p.mutable_birth_date() = dates::DateOf(out.birth_date);
  p.set_registered_kommunkod(row["registered_kommunkod"].as<std::string>());
  *p.mutable_registration_date() = dates::DateOf(out.registration_date);
  *p.mutable_first_registration_date() = dates::DateOf(out.first_registration_date);
  p.set_permit_type(permit);
  for (absl::string_view c :
       absl::StrSplit(row["citizenships"].as<std::string>(), ',', absl::SkipEmpty())) {
    p.add_citizenships(std::string(c));
  }
  for (absl::string_view l :
       absl::StrSplit(row["languages"].as<std::string>(), ',', absl::SkipEmpty())) {
    p.add_languages(std::string(l));
  }
  api::SetTimestampMicros(row["create_us"].as<int64_t>(), p.mutable_create_time());
  p.set_etag(api::EtagOf(row["revision"].as<int64_t>()));
  return out;
}

absl::StatusOr<EnrolmentRecord> EnrolmentFromRow(const pqxx::row& row) {
  EnrolmentRecord out;
  out.enrolment_id = row["enrolment_id"].as<int64_t>();
  out.participant_id = row["participant_id"].as<int64_t>();
  out.offering_id = row["offering_id"].as<int64_t>();
  out.kommunkod = row["kommunkod"].as<std::string>();
  v1::Enrolment& e = out.enrolment;
  e.set_name(EnrolmentName(out.kommunkod, out.participant_id, out.enrolment_id));
  e.set_offering(OfferingName(out.offering_id));
  absl::StatusOr<absl::CivilDay> enrolled = DayColumn(row["enrol_date"]);
  if (!enrolled.ok()) return enrolled.status();
  *e.mutable_enrol_date() = dates::DateOf(*enrolled);
  e.set_exception_reason(row["exception_reason"].as<std::string>());
  for (absl::string_view name :
       absl::StrSplit(row["overridden_reasons"].as<std::string>(), ',', absl::SkipEmpty())) {
    v1::IneligibilityReason reason = v1::INELIGIBILITY_REASON_UNSPECIFIED;
    if (!v1::IneligibilityReason_Parse(std::string(name), &reason)) {
      return status::Internal("a stored overridden reason is unreadable");
    }
    e.add_overridden_reasons(reason);
  }
  v1::Enrolment::State state = v1::Enrolment::STATE_UNSPECIFIED;
  if (!v1::Enrolment::State_Parse(row["state"].as<std::string>(), &state)) {
    return status::Internal("an enrolment with an unreadable state");
  }
  e.set_state(state);
  api::SetTimestampMicros(row["create_us"].as<int64_t>(), e.mutable_create_time());
  e.set_etag(api::EtagOf(row["revision"].as<int64_t>()));
  return out;
}

// The queries take a missing date as "" (NULLIF).
std::string OptionalDay(const std::optional<absl::CivilDay>& day) {
  return day ? dates::DayText(*day) : std::string();
}

}  // namespace

void ApplyProgress(const Progress& progress, v1::Enrolment& enrolment) {
  enrolment.set_state(progress.completed() ? v1::Enrolment::STATE_COMPLETED
                                           : v1::Enrolment::STATE_ENROLLED);
  enrolment.set_attended_minutes(progress.attended_minutes);
  enrolment.clear_theme_minutes();
  for (v1::ThemeMinutes& t : progress.ThemeList()) *enrolment.add_theme_minutes() = std::move(t);
  enrolment.clear_start_date();
  enrolment.clear_completion_date();
  if (progress.start_date) *enrolment.mutable_start_date() = dates::DateOf(*progress.start_date);
  if (progress.completion_date) {
    *enrolment.mutable_completion_date() = dates::DateOf(*progress.completion_date);
  }
}

std::optional<int64_t> ParticipantRepository::Insert(std::string_view kommunkod,
                                                     const CheckedParticipant& checked,
                                                     std::string_view pnr_hash,
                                                     std::string_view pnr_cipher, absl::Time now) {
  pqxx::result r = tx_.exec_prepared(
      "participant_insert", std::string(kommunkod), std::string(kommunkod.substr(0, 2)),
      std::string(pnr_hash), std::string(pnr_cipher),
      v1::IdentityKind_Name(checked.pnr.is_coordination_number ? v1::IDENTITY_KIND_SAMORDNINGSNUMMER
                                                               : v1::IDENTITY_KIND_PERSONNUMMER),
      dates::DayText(checked.pnr.birth_date), checked.registered_kommunkod,
      dates::DayText(checked.registration_date), dates::DayText(checked.first_registration_date),
      v1::PermitType_Name(checked.permit), absl::StrJoin(checked.citizenships, ","),
      absl::StrJoin(checked.languages, ","), api::ToMicros(now));
  if (r.empty()) return std::nullopt;
  return r[0]["participant_id"].as<int64_t>();
}

std::optional<int64_t> ParticipantRepository::Find(std::string_view kommunkod,
                                                   std::string_view pnr_hash) {
  pqxx::result r =
      tx_.exec_prepared("participant_find", std::string(kommunkod), std::string(pnr_hash));
  if (r.empty()) return std::nullopt;
  return r[0]["participant_id"].as<int64_t>();
}

absl::StatusOr<std::optional<ParticipantRecord>> ParticipantRepository::Get(
    int64_t participant_id) {
  pqxx::result r = tx_.exec_prepared("participant_get", participant_id);
  if (r.empty()) return std::optional<ParticipantRecord>();
  absl::StatusOr<ParticipantRecord> record = ParticipantFromRow(r[0]);
  if (!record.ok()) return record.status();
  return std::optional<ParticipantRecord>(*std::move(record));
}

absl::StatusOr<std::vector<ParticipantRecord>> ParticipantRepository::List(
    std::string_view kommunkod, int64_t after_id, int limit) {
  std::vector<ParticipantRecord> out;
  for (const pqxx::row& row :
       tx_.exec_prepared("participant_list", std::string(kommunkod), after_id, limit)) {
    absl::StatusOr<ParticipantRecord> record = ParticipantFromRow(row);
    if (!record.ok()) return record.status();
    out.push_back(*std::move(record));
  }
  return out;
}

std::optional<int64_t> ParticipantRepository::InsertEnrolment(const NewEnrolment& e,
                                                              absl::Time now) {
  std::vector<std::string> reasons;
  for (v1::IneligibilityReason r : e.overridden) reasons.push_back(v1::IneligibilityReason_Name(r));
  pqxx::result r =
      tx_.exec_prepared("enrolment_insert", e.participant_id, e.offering_id, e.kommunkod,
                        e.kommunkod.substr(0, 2), dates::DayText(e.enrol_date), e.exception_reason,
                        absl::StrJoin(reasons, ","), api::ToMicros(now));
  if (r.empty()) return std::nullopt;
  return r[0]["enrolment_id"].as<int64_t>();
}

absl::StatusOr<std::optional<EnrolmentRecord>> ParticipantRepository::GetEnrolment(
    int64_t enrolment_id) {
  pqxx::result r = tx_.exec_prepared("enrolment_get", enrolment_id);
  if (r.empty()) return std::optional<EnrolmentRecord>();
  absl::StatusOr<EnrolmentRecord> record = EnrolmentFromRow(r[0]);
  if (!record.ok()) return record.status();
  return std::optional<EnrolmentRecord>(*std::move(record));
}

absl::StatusOr<std::vector<EnrolmentRecord>> ParticipantRepository::ListEnrolments(
    int64_t participant_id, int64_t after_id, int limit) {
  std::vector<EnrolmentRecord> out;
  for (const pqxx::row& row :
       tx_.exec_prepared("enrolment_list", participant_id, after_id, limit)) {
    absl::StatusOr<EnrolmentRecord> record = EnrolmentFromRow(row);
    if (!record.ok()) return record.status();
    out.push_back(*std::move(record));
  }
  return out;
}

absl::StatusOr<std::optional<LockedEnrolment>> ParticipantRepository::LockEnrolment(
    int64_t enrolment_id) {
  pqxx::result r = tx_.exec_prepared("enrolment_lock", enrolment_id);
  if (r.empty()) return std::optional<LockedEnrolment>();
  LockedEnrolment out;
  out.participant_id = r[0]["participant_id"].as<int64_t>();
  out.offering_id = r[0]["offering_id"].as<int64_t>();
  out.kommunkod = r[0]["kommunkod"].as<std::string>();
  if (!v1::Enrolment::State_Parse(r[0]["state"].as<std::string>(), &out.state)) {
    return status::Internal("an enrolment with an unreadable state");
  }
  return std::optional<LockedEnrolment>(std::move(out));
}

absl::StatusOr<Progress> ParticipantRepository::LoadProgress(int64_t enrolment_id) {
  std::vector<AttendedSession> lines;
  for (const pqxx::row& row : tx_.exec_prepared("enrolment_attended", enrolment_id)) {
    AttendedSession line;
    absl::StatusOr<absl::CivilDay> date = DayColumn(row["session_date"]);
    if (!date.ok()) return date.status();
    line.date = *date;
    line.cancelled = row["state"].as<std::string>() == "STATE_CANCELLED";
    if (!v1::AttendanceStatus_Parse(row["status"].as<std::string>(), &line.status)) {
      return status::Internal("a stored attendance status is unreadable");
    }
    absl::StatusOr<std::vector<v1::ThemeMinutes>> themes =
        ParseThemes(row["themes"].is_null() ? "" : row["themes"].as<std::string>());
    if (!themes.ok()) return themes.status();
    line.themes = *std::move(themes);
    lines.push_back(std::move(line));
  }
  return ComputeProgress(std::move(lines));
}

void ParticipantRepository::SetProgress(int64_t enrolment_id, const Progress& progress,
                                        absl::Time now) {
  tx_.exec_prepared("enrolment_set_progress", enrolment_id,
                    std::string(progress.completed() ? "STATE_COMPLETED" : "STATE_ENROLLED"),
                    OptionalDay(progress.start_date), OptionalDay(progress.completion_date),
                    api::ToMicros(now));
}

void ParticipantRepository::RecordAttendance(int64_t session_id, int64_t enrolment_id,
                                             v1::AttendanceStatus status,
                                             std::string_view recorded_by, absl::Time now) {
  tx_.exec_prepared("attendance_upsert", session_id, enrolment_id,
                    v1::AttendanceStatus_Name(status), std::string(recorded_by),
                    api::ToMicros(now));
}

}  // namespace integration::orientation
