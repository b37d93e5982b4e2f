// SQL of the grants statistics: key figures of a county's applications per applicant kommun
// and in total, summed by PostgreSQL. Runs on the caller's transaction.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

// What the figures cover: the calls of one county, optionally one call, one programme, the
// calls opening (Europe/Stockholm) in one year.
struct StatisticsScope {
  std::string lanskod;
  int64_t call_id = 0;       // 0: every call
  std::string programme_id;  // "": every programme
  int32_t year = 0;          // 0: every year
};

struct StatisticsFigures {
  v1::GrantFigures totals;
  // By kommunkod; organisations under "".
  std::vector<std::pair<std::string, v1::GrantFigures>> kommuner;
};

class StatisticsRepository {
 public:
  explicit StatisticsRepository(pqxx::work& tx) : tx_(tx) {}

  // OUT_OF_RANGE STATISTICS_OVERFLOW when a sum does not fit in int64 öre.
  absl::StatusOr<StatisticsFigures> Figures(const StatisticsScope& scope);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::grants
