// Participants from and to PostgreSQL.
#include "participant_repository.h"

#include <utility>

#include "absl/strings/str_join.h"
#include "integration/api/handler.h"
#include "integration/status/status.h"
#include "rules/names.h"
#include "rules/tia_rules.h"

namespace integration::early_measures {

int64_t ParticipantRepository::FindOrInsert(std::string_view orgnr, std::string_view lma_key,
                                            const v1::Participant& participant, absl::Time now) {
  pqxx::result found = tx_.exec_prepared("participant_find", std::string(orgnr),
                                         std::string(lma_key));
  if (!found.empty()) return found[0][0].as<int64_t>();
  pqxx::result inserted = tx_.exec_prepared(
      "participant_insert", std::string(orgnr), std::string(lma_key),
      type::Sex_Name(participant.sex()), participant.birth_year(), api::ToMicros(now));
  if (!inserted.empty()) return inserted[0][0].as<int64_t>();
  // Registered by a concurrent call between the look-up and the insert.
  return tx_.exec_prepared1("participant_find", std::string(orgnr), std::string(lma_key))[0]
      .as<int64_t>();
}

absl::StatusOr<std::vector<ParticipantRecord>> ParticipantRepository::Read(
    const pqxx::result& r, std::string_view orgnr, int year) {
  std::vector<ParticipantRecord> out;
  out.reserve(r.size());
  for (const pqxx::row& row : r) {
    ParticipantRecord rec;
    rec.participant_id = row["participant_id"].as<int64_t>();
    v1::Participant& p = rec.participant;
    p.set_name(ParticipantName(orgnr, rec.participant_id));
    type::Sex sex = type::SEX_UNSPECIFIED;
    if (!type::Sex_Parse(row["sex"].as<std::string>(), &sex)) {
      return status::Internal("stored sex is unknown");
    }
    p.set_sex(sex);
    p.set_birth_year(row["birth_year"].as<int32_t>());
    p.set_age_band(AgeBandOf(p.birth_year(), year));
    p.set_sessions_attended(row["sessions_attended"].as<int32_t>());
    p.set_attended_minutes(row["attended_minutes"].as<int64_t>());
    api::SetTimestampMicros(row["create_us"].as<int64_t>(), p.mutable_create_time());
    out.push_back(std::move(rec));
  }
  return out;
}

absl::StatusOr<std::vector<ParticipantRecord>> ParticipantRepository::List(std::string_view orgnr,
                                                                           int64_t after_id,
                                                                           int limit, int year) {
  return Read(tx_.exec_prepared("participant_list", std::string(orgnr), after_id, limit,
                                std::string()),
              orgnr, year);
}

absl::StatusOr<std::vector<ParticipantRecord>> ParticipantRepository::Of(
    std::string_view orgnr, const std::vector<int64_t>& ids, int year) {
  if (ids.empty()) return std::vector<ParticipantRecord>();
  return Read(tx_.exec_prepared("participant_list", std::string(orgnr), int64_t{0},
                                static_cast<int>(ids.size()), absl::StrJoin(ids, ",")),
              orgnr, year);
}

}  // namespace integration::early_measures
