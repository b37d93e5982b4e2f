// What matching reads: the SQL of sql/queries/matching_*.sql.
#include "matching_repository.h"

#include <optional>
#include <string>

#include "absl/strings/str_split.h"
#include "integration/status/status.h"
#include "rules/arrival_rules.h"
#include "integration/dates/day.h"

namespace integration::placement {
namespace {

std::vector<std::string> Codes(const pqxx::field& f) {
  return absl::StrSplit(f.as<std::string>(), ',', absl::SkipEmpty());
}

}  // namespace

absl::StatusOr<std::vector<MatchChild>> MatchingRepository::WaitingChildren(
    std::string_view lanskod, absl::CivilDay today) {
  std::vector<MatchChild> out;
  for (const pqxx::row& row :
       tx_.exec_prepared("matching_waiting_children", std::string(lanskod))) {
    MatchChild c;
    c.id = row["child_id"].as<int64_t>();
    // The age as the placement rules compute it, so that a proposal passes CreatePlacement.
    v1::Arrival arrival;
    std::optional<absl::CivilDay> arrived = dates::ParseDayText(row["arrival_date"].as<std::string>());
    if (!arrived) return status::Internal("child with an unreadable arrival date");
    *arrival.mutable_arrival_date() = dates::DateOf(*arrived);
    if (!row["birth_date"].is_null()) {
      std::optional<absl::CivilDay> born = dates::ParseDayText(row["birth_date"].as<std::string>());
      if (!born) return status::Internal("child with an unreadable birth date");
      *arrival.mutable_birth_date() = dates::DateOf(*born);
    } else {
      arrival.set_assessed_age(row["assessed_age"].as<int>());
    }
    c.age = ChildAgeOn(arrival, today);
    if (!v1::Sex_Parse(row["sex"].as<std::string>(), &c.sex)) {
      return status::Internal("child with an unreadable sex");
    }
    c.assigned_kommunkod = row["kommunkod"].as<std::string>();
    c.link_kommunkod = row["strong_link_kommunkod"].as<std::string>();
    c.languages = Codes(row["languages"]);
    c.sibling_group = row["sibling_group"].as<std::string>();
    out.push_back(std::move(c));
  }
  return out;
}

absl::StatusOr<std::vector<MatchUnit>> MatchingRepository::FreeUnits(std::string_view lanskod) {
  std::vector<MatchUnit> out;
  for (const pqxx::row& row : tx_.exec_prepared("matching_free_units", std::string(lanskod))) {
    MatchUnit u;
    u.id = row["unit_id"].as<int64_t>();
    u.free = row["free"].as<int>();
    if (u.free <= 0) continue;
    u.kommunkod = row["kommunkod"].as<std::string>();
    u.min_age = row["min_age"].as<int>();
    u.max_age = row["max_age"].as<int>();
    for (const std::string& name : Codes(row["sexes"])) {
      v1::Sex sex = v1::SEX_UNSPECIFIED;
      if (!v1::Sex_Parse(name, &sex)) return status::Internal("unit with an unreadable sex");
      u.sexes.push_back(sex);
    }
    u.languages = Codes(row["languages"]);
    out.push_back(std::move(u));
  }
  return out;
}

}  // namespace integration::placement
