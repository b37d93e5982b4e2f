// SQL of CheckFunding: the approved decisions of one applicant in one programme whose project
// periods overlap a period. Runs on the caller's transaction.
#pragma once

#include <cstdint>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"
#include "rules/values_rules.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

struct FundingRow {
  Period period;
  v1::FundingDecision decision;  // covers_whole_period not yet set
};

class FundingRepository {
 public:
  explicit FundingRepository(pqxx::work& tx) : tx_(tx) {}

  // Exactly one of `kommunkod` / `orgnr` ("NNNNNN-NNNN") is non-empty. `lanskod` limits the
  // answer to the calls of one county unless empty. Earliest start first.
  absl::StatusOr<std::vector<FundingRow>> ApprovedDecisions(const std::string& kommunkod,
                                                            const std::string& orgnr,
                                                            const std::string& programme_id,
                                                            const Period& period,
                                                            const std::string& lanskod);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::grants
