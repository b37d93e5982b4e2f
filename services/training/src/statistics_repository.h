// Statistics SQL of the training service (sql/queries/statistics_*.sql): key figures by
// organisation type, kommun and month, and pass rates per module.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/pqxx>

namespace integration::training {

// What the figures cover.
struct StatisticsScope {
  std::string lanskod;    // only learners of this län; empty: every län
  std::string first_day;  // "YYYY-MM-DD" (Europe/Stockholm), inclusive; empty: open
  std::string last_day;   // inclusive; empty: open
};

// Counts of one group.
struct StatisticsCounts {
  int64_t enrolments = 0;
  int64_t attempts = 0;
  int64_t passed_attempts = 0;
  int64_t course_diplomas = 0;
  int64_t part_certificates = 0;
};

enum class StatisticsDimension { kTotal, kOrganisationType, kKommun, kMonth };

struct StatisticsGroup {
  StatisticsDimension dimension = StatisticsDimension::kTotal;
  // OrganisationType enum name, kommunkod or "YYYY-MM"; empty for the total.
  std::string key;
  StatisticsCounts counts;
};

struct ModuleCounts {
  std::string part_id;
  std::string module_id;
  std::string title;
  int64_t attempts = 0;
  int64_t passed_attempts = 0;
};

// Works inside the caller's transaction; libpqxx exceptions propagate to pg::Pool::Transact.
class StatisticsRepository {
 public:
  explicit StatisticsRepository(pqxx::work& tx) : tx_(tx) {}

  // The groups by organisation type, by kommun and by month, each ordered by key, then the
  // total (always there, also when nothing happened).
  std::vector<StatisticsGroup> Groups(const StatisticsScope& scope);
  // Published modules (and others with attempts) in course order.
  std::vector<ModuleCounts> Modules(const StatisticsScope& scope);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::training
