// The follow-up figures' queries: report figures of one grant decision and the statistics of
// a year. Used inside a pg::Pool transaction.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "lansstyrelsen/integration/early_measures/v1/early_measures_service.pb.h"
#include "rules/tia_rules.h"

namespace integration::early_measures {

struct StatisticsCounts {
  std::vector<GroupCount> groups;
  std::vector<OrganisationCount> organisations;
  int64_t participants = 0;
  int64_t minutes = 0;
};

class StatisticsRepository {
 public:
  explicit StatisticsRepository(pqxx::work& tx) : tx_(tx) {}

  // Organisation `orgnr`'s figures for the activities that `application` funds.
  v1::ParticipantFigures ReportFigures(std::string_view orgnr, std::string_view application);
  // Counts of `year`, within county `lanskod` and organisation `orgnr` ('' for all).
  absl::StatusOr<StatisticsCounts> Counts(int year, std::string_view lanskod,
                                          std::string_view orgnr);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::early_measures
