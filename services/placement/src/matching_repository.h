// What matching reads from PostgreSQL: a county's waiting children and its units' free places.
// Used inside a pg::Pool transaction; libpqxx exceptions propagate to Pool::Transact.
#pragma once

#include <pqxx/pqxx>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "rules/matching.h"

namespace integration::placement {

class MatchingRepository {
 public:
  explicit MatchingRepository(pqxx::work& tx) : tx_(tx) {}

  // Assigned children of the county without an open placement, their ages on `today`.
  absl::StatusOr<std::vector<MatchChild>> WaitingChildren(std::string_view lanskod,
                                                          absl::CivilDay today);
  // The county's units with at least one place no open placement holds.
  absl::StatusOr<std::vector<MatchUnit>> FreeUnits(std::string_view lanskod);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::placement
