// The raw counts of the placement statistics: the SQL of sql/queries/statistics_figures.sql.
#include "statistics_repository.h"

#include <map>
#include <string>

#include "integration/status/status.h"
#include "integration/dates/day.h"

namespace integration::placement {

absl::StatusOr<RawFigures> StatisticsRepository::Figures(std::string_view lanskod,
                                                         absl::CivilDay from, absl::CivilDay to) {
  RawFigures raw;
  const std::map<std::string, std::map<std::string, int64_t>*> figures = {
      {"arrivals", &raw.arrivals}, {"assignments", &raw.assignments},
      {"waiting", &raw.waiting},   {"places", &raw.places},
      {"taken", &raw.taken},       {"by_type", &raw.by_type}};
  for (const pqxx::row& row :
       tx_.exec_prepared("statistics_figures", std::string(lanskod), dates::DayText(from), dates::DayText(to))) {
    auto it = figures.find(row["figure"].as<std::string>());
    if (it == figures.end()) return status::Internal("unknown statistics figure");
    (*it->second)[row["key"].as<std::string>()] = row["value"].as<int64_t>();
  }
  return raw;
}

}  // namespace integration::placement
