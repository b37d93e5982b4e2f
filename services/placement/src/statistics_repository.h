// The raw counts of a county's placement statistics from PostgreSQL (statistics_figures.sql).
// Used inside a pg::Pool transaction; libpqxx exceptions propagate to Pool::Transact.
#pragma once

#include <pqxx/pqxx>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "rules/statistics.h"

namespace integration::placement {

class StatisticsRepository {
 public:
  explicit StatisticsRepository(pqxx::work& tx) : tx_(tx) {}

  // The county's counts; arrivals and assignments of children who arrived in [from, to).
  absl::StatusOr<RawFigures> Figures(std::string_view lanskod, absl::CivilDay from,
                                     absl::CivilDay to);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::placement
