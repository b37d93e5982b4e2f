// Children in PostgreSQL: the SQL of sql/queries/child_*.sql, assignment_lock.sql and
// standing_counts.sql.
#include "child_repository.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "integration/api/handler.h"
#include "integration/status/status.h"
#include "integration/dates/day.h"
#include "rules/names.h"

namespace integration::placement {
namespace {

std::string Text(const pqxx::field& f) { return f.is_null() ? "" : f.as<std::string>(); }

absl::StatusOr<ChildRecord> ChildFromRow(const pqxx::row& row) {
  ChildRecord out;
  out.child_id = row["child_id"].as<int64_t>();
  out.revision = row["revision"].as<int64_t>();
  out.dossier_hash = row["dossier_hash"].as<std::string>();
  out.dossier_cipher = row["dossier_cipher"].as<std::string>();
  v1::Child& child = out.child;
  child.set_name(ChildName(out.child_id));
  child.set_lanskod(row["lanskod"].as<std::string>());
  child.set_etag(api::EtagOf(out.revision));
  api::SetTimestampMicros(row["create_us"].as<int64_t>(), child.mutable_create_time());
  api::SetTimestampMicros(row["update_us"].as<int64_t>(), child.mutable_update_time());
  v1::Arrival& arrival = *child.mutable_arrival();
  if (!row["birth_date"].is_null()) {
    std::optional<absl::CivilDay> born = dates::ParseDayText(row["birth_date"].as<std::string>());
    if (!born) return status::Internal("child with an unreadable birth date");
    *arrival.mutable_birth_date() = dates::DateOf(*born);
  } else {
    arrival.set_assessed_age(row["assessed_age"].as<int>());
  }
  v1::Sex sex = v1::SEX_UNSPECIFIED;
  if (!v1::Sex_Parse(row["sex"].as<std::string>(), &sex)) {
    return status::Internal("child with an unreadable sex");
  }
  arrival.set_sex(sex);
  for (absl::string_view code : absl::StrSplit(Text(row["languages"]), ',', absl::SkipEmpty())) {
    arrival.add_languages(std::string(code));
  }
  arrival.set_needs(row["needs"].as<std::string>());
  arrival.set_sibling_group(row["sibling_group"].as<std::string>());
  arrival.set_strong_link_kommunkod(row["strong_link_kommunkod"].as<std::string>());
  arrival.set_arrival_kommunkod(row["arrival_kommunkod"].as<std::string>());
  std::optional<absl::CivilDay> arrived = dates::ParseDayText(row["arrival_date"].as<std::string>());
  if (!arrived) return status::Internal("child with an unreadable arrival date");
  *arrival.mutable_arrival_date() = dates::DateOf(*arrived);

  v1::ChildState state = v1::CHILD_STATE_UNSPECIFIED;
  if (!v1::ChildState_Parse(absl::StrCat("CHILD_STATE_", row["state"].as<std::string>()), &state)) {
    return status::Internal("child with an unreadable state");
  }
  child.set_state(state);
  if (state == v1::CHILD_STATE_ASSIGNED) {
    v1::Assignment& assignment = *child.mutable_assignment();
    assignment.set_kommunkod(row["kommunkod"].as<std::string>());
    v1::AssignmentBasis basis = v1::ASSIGNMENT_BASIS_UNSPECIFIED;
    if (!v1::AssignmentBasis_Parse(row["assignment_basis"].as<std::string>(), &basis)) {
      return status::Internal("child with an unreadable assignment basis");
    }
    assignment.set_basis(basis);
    api::SetTimestampMicros(row["assign_us"].as<int64_t>(), assignment.mutable_assign_time());
    const pqxx::binarystring explanation(row["explanation"]);
    if (!assignment.mutable_explanation()->ParseFromString(explanation.str())) {
      return status::Internal("child with an unreadable assignment explanation");
    }
  }
  return out;
}

}  // namespace

std::string StoredState(v1::ChildState state) {
  if (state == v1::CHILD_STATE_UNSPECIFIED || !v1::ChildState_IsValid(state)) return "";
  // The stored names are the enum's without its prefix.
  return v1::ChildState_Name(state).substr(std::string_view("CHILD_STATE_").size());
}

std::optional<int64_t> ChildRepository::FindByDossier(std::string_view dossier_hash) {
  pqxx::result r = tx_.exec_prepared("child_find_by_dossier", std::string(dossier_hash));
  if (r.empty()) return std::nullopt;
  return r[0]["child_id"].as<int64_t>();
}

std::optional<int64_t> ChildRepository::Insert(const NewChild& child, absl::Time now) {
  const CheckedArrival& checked = *child.arrival;
  const v1::Arrival& a = checked.arrival;
  std::string birth_date, assessed_age;
  if (a.has_birth_date()) {
    birth_date = dates::DayText(*dates::DayOf(a.birth_date()));
  } else {
    assessed_age = absl::StrCat(a.assessed_age());
  }
  pqxx::result r = tx_.exec_prepared(
      "child_insert", child.dossier_hash, child.dossier_cipher, birth_date, assessed_age,
      v1::Sex_Name(a.sex()), absl::StrJoin(a.languages(), ","), a.needs(), a.sibling_group(),
      a.strong_link_kommunkod(), a.arrival_kommunkod(), dates::DayText(checked.arrival_date),
      checked.lanskod, api::ToMicros(now));
  if (r.empty()) return std::nullopt;
  return r[0]["child_id"].as<int64_t>();
}

absl::StatusOr<std::optional<ChildRecord>> ChildRepository::Get(int64_t child_id) {
  pqxx::result r = tx_.exec_prepared("child_get", child_id);
  if (r.empty()) return std::optional<ChildRecord>();
  absl::StatusOr<ChildRecord> record = ChildFromRow(r[0]);
  if (!record.ok()) return record.status();
  return std::optional<ChildRecord>(*std::move(record));
}

std::optional<LockedChild> ChildRepository::Lock(int64_t child_id) {
  pqxx::result r = tx_.exec_prepared("child_lock", child_id);
  if (r.empty()) return std::nullopt;
  return LockedChild{r[0]["revision"].as<int64_t>(), r[0]["lanskod"].as<std::string>(),
                     r[0]["sibling_group"].as<std::string>()};
}

absl::StatusOr<std::vector<ChildRecord>> ChildRepository::List(const ChildFilter& filter,
                                                               int64_t after_id, int limit) {
  std::vector<ChildRecord> out;
  for (const pqxx::row& row : tx_.exec_prepared("child_list", filter.lanskod, filter.kommunkod,
                                                filter.state, after_id, limit)) {
    absl::StatusOr<ChildRecord> record = ChildFromRow(row);
    if (!record.ok()) return record.status();
    out.push_back(*std::move(record));
  }
  return out;
}

void ChildRepository::SetAssignment(int64_t child_id, const v1::Assignment& assignment,
                                    std::string_view lanskod, absl::Time now) {
  tx_.exec_prepared("child_set_assignment", child_id, assignment.kommunkod(), std::string(lanskod),
                    v1::AssignmentBasis_Name(assignment.basis()),
                    pqxx::binarystring(assignment.explanation().SerializeAsString()),
                    api::ToMicros(now));
}

std::optional<std::pair<int64_t, std::string>> ChildRepository::AssignedSibling(
    std::string_view group, int64_t child_id) {
  pqxx::result r = tx_.exec_prepared("child_assigned_sibling", std::string(group), child_id);
  if (r.empty()) return std::nullopt;
  return std::make_pair(r[0]["child_id"].as<int64_t>(), r[0]["kommunkod"].as<std::string>());
}

std::vector<int64_t> ChildRepository::LockAssignedSiblings(std::string_view group,
                                                           int64_t child_id) {
  std::vector<int64_t> out;
  for (const pqxx::row& row : tx_.exec_prepared("child_group_lock", std::string(group), child_id)) {
    out.push_back(row["child_id"].as<int64_t>());
  }
  return out;
}

void ChildRepository::LockStandings(std::string_view what) {
  tx_.exec_prepared("assignment_lock", std::string(what));
}

std::map<std::string, int64_t> ChildRepository::AssignedSince(std::string_view lanskod,
                                                              absl::CivilDay since) {
  std::map<std::string, int64_t> out;
  for (const pqxx::row& row :
       tx_.exec_prepared("standing_counts", std::string(lanskod), dates::DayText(since))) {
    out[row["kommunkod"].as<std::string>()] = row["assigned"].as<int64_t>();
  }
  return out;
}

void ChildRepository::LogRead(int64_t child_id, std::string_view actor, std::string_view role,
                              std::string_view purpose, absl::Time now) {
  tx_.exec_prepared("child_read_insert", child_id, std::string(actor), std::string(role),
                    std::string(purpose), api::ToMicros(now));
}

std::vector<std::pair<int64_t, v1::ChildRead>> ChildRepository::ListReads(int64_t child_id,
                                                                          int64_t after_id,
                                                                          int limit) {
  std::vector<std::pair<int64_t, v1::ChildRead>> out;
  for (const pqxx::row& row : tx_.exec_prepared("child_read_list", child_id, after_id, limit)) {
    v1::ChildRead read;
    read.set_actor(row["actor"].as<std::string>());
    read.set_role(row["role"].as<std::string>());
    read.set_purpose(row["purpose"].as<std::string>());
    api::SetTimestampMicros(row["read_us"].as<int64_t>(), read.mutable_read_time());
    out.emplace_back(row["read_id"].as<int64_t>(), std::move(read));
  }
  return out;
}

}  // namespace integration::placement
