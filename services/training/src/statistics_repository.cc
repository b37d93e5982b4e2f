// Statistics SQL: runs the two statistics statements and decodes their rows.
#include "statistics_repository.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace integration::training {

std::vector<StatisticsGroup> StatisticsRepository::Groups(const StatisticsScope& scope) {
  std::vector<StatisticsGroup> groups;
  for (const pqxx::row& row : tx_.exec_prepared("statistics_groups", scope.lanskod,
                                                scope.first_day, scope.last_day)) {
    // GROUPING() is 0 for the column a row is grouped by and 1 for the others.
    const bool by_type = row[0].as<int>() == 0;
    const bool by_kommun = row[1].as<int>() == 0;
    const bool by_month = row[2].as<int>() == 0;
    StatisticsGroup g;
    if (by_type) {
      g.dimension = StatisticsDimension::kOrganisationType;
      g.key = row[3].as<std::string>();
    } else if (by_kommun) {
      g.dimension = StatisticsDimension::kKommun;
      g.key = row[4].as<std::string>();
    } else if (by_month) {
      g.dimension = StatisticsDimension::kMonth;
      g.key = row[5].as<std::string>();
    }
    g.counts.enrolments = row[6].as<int64_t>();
    g.counts.attempts = row[7].as<int64_t>();
    g.counts.passed_attempts = row[8].as<int64_t>();
    g.counts.course_diplomas = row[9].as<int64_t>();
    g.counts.part_certificates = row[10].as<int64_t>();
    groups.push_back(std::move(g));
  }
  return groups;
}

std::vector<ModuleCounts> StatisticsRepository::Modules(const StatisticsScope& scope) {
  std::vector<ModuleCounts> modules;
  for (const pqxx::row& row : tx_.exec_prepared("statistics_modules", scope.lanskod,
                                                scope.first_day, scope.last_day)) {
    modules.push_back(ModuleCounts{.part_id = row[0].as<std::string>(),
                                   .module_id = row[1].as<std::string>(),
                                   .title = row[2].as<std::string>(),
                                   .attempts = row[3].as<int64_t>(),
                                   .passed_attempts = row[4].as<int64_t>()});
  }
  return modules;
}

}  // namespace integration::training
