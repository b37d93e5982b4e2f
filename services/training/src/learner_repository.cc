// Learners in PostgreSQL: rows to and from v1::Learner.
#include "learner_repository.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "rules/content_rules.h"
#include "integration/status/status.h"
#include "lansstyrelsen/integration/type/v1/types.pb.h"
#include "service_util.h"

namespace integration::training {
namespace {

namespace type = ::lansstyrelsen::integration::type::v1;

// Reads a row with the columns of learner_row (by name).
absl::StatusOr<LearnerRow> ToLearnerRow(const pqxx::row& row) {
  LearnerRow out;
  out.learner_id = row["learner_id"].as<std::string>();
  out.lanskod = row["lanskod"].as<std::string>();
  out.enrol_micros = row["enrol_micros"].as<int64_t>();
  out.revision = row["revision"].as<int64_t>();
  const std::string parts = row["part_ids_list"].as<std::string>();
  if (!parts.empty()) out.part_ids = absl::StrSplit(parts, ',');
  v1::Learner& l = out.learner;
  l.set_name(LearnerName(out.learner_id));
  l.set_display_name(row["display_name"].as<std::string>());
  l.set_email(row["email"].as<std::string>());
  type::OrganisationType org = type::ORGANISATION_TYPE_UNSPECIFIED;
  if (!type::OrganisationType_Parse(row["organisation_type"].as<std::string>(), &org)) {
    return status::Internal(
        absl::StrCat("learner ", out.learner_id, " has an unknown organisation type"));
  }
  l.set_organisation_type(org);
  l.set_organisation_name(row["organisation_name"].as<std::string>());
  l.set_kommunkod(row["kommunkod"].as<std::string>());
  for (const std::string& id : out.part_ids) l.add_parts(PartName(id));
  l.set_whole_course(row["whole_course"].as<bool>());
  SetTimestampMicros(out.enrol_micros, l.mutable_enrol_time());
  SetTimestampMicros(row["update_micros"].as<int64_t>(), l.mutable_update_time());
  l.set_etag(EtagOf(out.revision));
  return out;
}

// A PostgreSQL text[] literal of validated ids (no quoting needed: [a-z0-9-] only).
std::string IdArray(const std::vector<std::string>& ids) {
  return absl::StrCat("{", absl::StrJoin(ids, ","), "}");
}

}  // namespace

absl::StatusOr<std::optional<LearnerRow>> LearnerRepository::Get(const std::string& learner_id) {
  pqxx::result r = tx_.exec_prepared("learner_get", learner_id);
  if (r.empty()) return std::optional<LearnerRow>();
  absl::StatusOr<LearnerRow> row = ToLearnerRow(r[0]);
  if (!row.ok()) return row.status();
  return std::optional<LearnerRow>(*std::move(row));
}

std::optional<LearnerLock> LearnerRepository::Lock(const std::string& learner_id) {
  pqxx::result r = tx_.exec_prepared("learner_lock", learner_id);
  if (r.empty()) return std::nullopt;
  return LearnerLock{.revision = r[0]["revision"].as<int64_t>(),
                     .lanskod = r[0]["lanskod"].as<std::string>()};
}

absl::StatusOr<std::optional<LearnerRow>> LearnerRepository::Insert(
    const std::string& learner_id, const v1::Learner& learner, const std::string& lanskod,
    const std::vector<std::string>& part_ids) {
  pqxx::result r = tx_.exec_prepared(
      "learner_insert", learner_id, learner.display_name(), learner.email(),
      type::OrganisationType_Name(learner.organisation_type()), learner.organisation_name(),
      learner.kommunkod(), lanskod, IdArray(part_ids));
  if (r.empty()) return std::optional<LearnerRow>();
  absl::StatusOr<LearnerRow> row = ToLearnerRow(r[0]);
  if (!row.ok()) return row.status();
  return std::optional<LearnerRow>(*std::move(row));
}

void LearnerRepository::Update(const std::string& learner_id, const v1::Learner& learner,
                               const std::string& lanskod) {
  tx_.exec_prepared0("learner_update", learner_id, learner.display_name(), learner.email(),
                     type::OrganisationType_Name(learner.organisation_type()),
                     learner.organisation_name(), learner.kommunkod(), lanskod);
}

void LearnerRepository::SetParts(const std::string& learner_id,
                                 const std::vector<std::string>& part_ids) {
  tx_.exec_prepared0("learner_remove_parts_except", learner_id, IdArray(part_ids));
  for (const std::string& part_id : part_ids) {
    tx_.exec_prepared0("learner_add_part", learner_id, part_id);
  }
}

std::vector<std::string> LearnerRepository::ExistingParts(
    const std::vector<std::string>& part_ids) {
  std::vector<std::string> out;
  for (const pqxx::row& row : tx_.exec_prepared("learner_existing_parts", IdArray(part_ids))) {
    out.push_back(row["part_id"].as<std::string>());
  }
  return out;
}

absl::StatusOr<std::vector<LearnerRow>> LearnerRepository::List(
    const std::string& lanskod, const std::string& kommunkod,
    const std::optional<std::pair<int64_t, std::string>>& after, int limit) {
  std::vector<LearnerRow> out;
  const bool has_after = after.has_value();
  const int64_t after_us = has_after ? after->first : 0;
  const std::string after_id = has_after ? after->second : "";
  // Two statements rather than one with "kommun or any": each has an index that starts at
  // the page's key, also under the generic plan of a prepared statement.
  const pqxx::result rows =
      kommunkod.empty()
          ? tx_.exec_prepared("learner_list", lanskod, has_after, after_us, after_id, limit)
          : tx_.exec_prepared("learner_list_kommun", lanskod, has_after, after_us, after_id, limit,
                              kommunkod);
  for (const pqxx::row& row : rows) {
    absl::StatusOr<LearnerRow> l = ToLearnerRow(row);
    if (!l.ok()) return l.status();
    out.push_back(*std::move(l));
  }
  return out;
}

}  // namespace integration::training
