// Placement units in PostgreSQL: the SQL of sql/queries/unit_*.sql.
#include "unit_repository.h"

#include <utility>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "integration/api/handler.h"
#include "integration/status/status.h"
#include "rules/names.h"

namespace integration::placement {
namespace {

// Sexes as the comma-separated enum names the queries store as text[].
std::string SexesText(const v1::Unit& unit) {
  return absl::StrJoin(unit.sexes(), ",", [](std::string* out, int sex) {
    out->append(v1::Sex_Name(static_cast<v1::Sex>(sex)));
  });
}

absl::StatusOr<UnitRecord> UnitFromRow(const pqxx::row& row) {
  UnitRecord out;
  out.unit_id = row["unit_id"].as<int64_t>();
  out.lanskod = row["lanskod"].as<std::string>();
  v1::Unit& unit = out.unit;
  unit.set_name(UnitName(row["kommunkod"].as<std::string>(), out.unit_id));
  unit.set_display_name(row["display_name"].as<std::string>());
  v1::UnitType type = v1::UNIT_TYPE_UNSPECIFIED;
  if (!v1::UnitType_Parse(row["type"].as<std::string>(), &type)) {
    return status::Internal("unit with an unreadable type");
  }
  unit.set_type(type);
  unit.set_places(row["places"].as<int>());
  unit.set_min_age(row["min_age"].as<int>());
  unit.set_max_age(row["max_age"].as<int>());
  for (absl::string_view name :
       absl::StrSplit(row["sexes"].as<std::string>(), ',', absl::SkipEmpty())) {
    v1::Sex sex = v1::SEX_UNSPECIFIED;
    if (!v1::Sex_Parse(std::string(name), &sex)) return status::Internal("unit with a bad sex");
    unit.add_sexes(sex);
  }
  for (absl::string_view code :
       absl::StrSplit(row["languages"].as<std::string>(), ',', absl::SkipEmpty())) {
    unit.add_languages(std::string(code));
  }
  unit.set_special_reason(row["special_reason"].as<std::string>());
  unit.set_occupied(row["occupied"].as<int>());
  unit.set_vacancies(unit.places() - unit.occupied());
  unit.set_etag(api::EtagOf(row["revision"].as<int64_t>()));
  api::SetTimestampMicros(row["create_us"].as<int64_t>(), unit.mutable_create_time());
  api::SetTimestampMicros(row["update_us"].as<int64_t>(), unit.mutable_update_time());
  return out;
}

}  // namespace

int64_t UnitRepository::Insert(std::string_view kommunkod, std::string_view lanskod,
                               const v1::Unit& unit, absl::Time now) {
  pqxx::result r = tx_.exec_prepared("unit_insert", std::string(kommunkod), std::string(lanskod),
                                     unit.display_name(), v1::UnitType_Name(unit.type()),
                                     unit.places(), unit.min_age(), unit.max_age(), SexesText(unit),
                                     absl::StrJoin(unit.languages(), ","), unit.special_reason(),
                                     api::ToMicros(now));
  return r[0]["unit_id"].as<int64_t>();
}

std::optional<LockedUnit> UnitRepository::Lock(int64_t unit_id) {
  pqxx::result r = tx_.exec_prepared("unit_lock", unit_id);
  if (r.empty()) return std::nullopt;
  return LockedUnit{r[0]["kommunkod"].as<std::string>(), r[0]["revision"].as<int64_t>(),
                    r[0]["places"].as<int>()};
}

void UnitRepository::Update(int64_t unit_id, const v1::Unit& unit, absl::Time now) {
  tx_.exec_prepared("unit_update", unit_id, unit.display_name(), unit.places(), unit.min_age(),
                    unit.max_age(), SexesText(unit), absl::StrJoin(unit.languages(), ","),
                    unit.special_reason(), api::ToMicros(now));
}

absl::StatusOr<std::optional<UnitRecord>> UnitRepository::Get(int64_t unit_id) {
  pqxx::result r = tx_.exec_prepared("unit_get", unit_id);
  if (r.empty()) return std::optional<UnitRecord>();
  absl::StatusOr<UnitRecord> record = UnitFromRow(r[0]);
  if (!record.ok()) return record.status();
  return std::optional<UnitRecord>(*std::move(record));
}

absl::StatusOr<std::vector<UnitRecord>> UnitRepository::List(std::string_view kommunkod,
                                                             int64_t after_id, int limit) {
  std::vector<UnitRecord> out;
  for (const pqxx::row& row :
       tx_.exec_prepared("unit_list", std::string(kommunkod), after_id, limit)) {
    absl::StatusOr<UnitRecord> record = UnitFromRow(row);
    if (!record.ok()) return record.status();
    out.push_back(*std::move(record));
  }
  return out;
}

int64_t UnitRepository::Taken(int64_t unit_id) {
  return tx_.exec_prepared("placement_count_taken", unit_id)[0]["taken"].as<int64_t>();
}

}  // namespace integration::placement
