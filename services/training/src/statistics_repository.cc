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
    const bool by_type = row["all_types"].as<int>() == 0;
    const bool by_kommun = row["all_kommuner"].as<int>() == 0;
    const bool by_month = row["all_months"].as<int>() == 0;
    StatisticsGroup g;
    if (by_type) {
      g.dimension = StatisticsDimension::kOrganisationType;
      g.key = row["organisation_type"].as<std::string>();
    } else if (by_kommun) {
      g.dimension = StatisticsDimension::kKommun;
      g.key = row["kommunkod"].as<std::string>();
    } else if (by_month) {
      g.dimension = StatisticsDimension::kMonth;
      g.key = row["month"].as<std::string>();
    }
    g.counts.enrolments = row["enrolments"].as<int64_t>();
    g.counts.attempts = row["attempts"].as<int64_t>();
    g.counts.passed_attempts = row["passed_attempts"].as<int64_t>();
    g.counts.course_diplomas = row["course_diplomas"].as<int64_t>();
    g.counts.part_certificates = row["part_certificates"].as<int64_t>();
    groups.push_back(std::move(g));
  }
  return groups;
}

std::vector<ModuleCounts> StatisticsRepository::Modules(const StatisticsScope& scope) {
  std::vector<ModuleCounts> modules;
  for (const pqxx::row& row : tx_.exec_prepared("statistics_modules", scope.lanskod,
                                                scope.first_day, scope.last_day)) {
    modules.push_back(ModuleCounts{.part_id = row["part_id"].as<std::string>(),
                                   .module_id = row["module_id"].as<std::string>(),
                                   .title = row["title"].as<std::string>(),
                                   .attempts = row["attempts"].as<int64_t>(),
                                   .passed_attempts = row["passed_attempts"].as<int64_t>()});
  }
  return modules;
}

}  // namespace integration::training
