// Allocation keys in PostgreSQL: insert with their shares, get and list. Used inside a
// pg::Pool transaction; libpqxx exceptions propagate to Pool::Transact.
#pragma once

#include <optional>
#include <pqxx/pqxx>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/placement/v1/resources.pb.h"
#include "rules/allocation_rules.h"

namespace integration::placement {

namespace v1 = ::lansstyrelsen::integration::placement::v1;

class AllocationKeyRepository {
 public:
  explicit AllocationKeyRepository(pqxx::work& tx) : tx_(tx) {}

  // False when the county has a key for that year already.
  bool Insert(const KeyDefinition& key, absl::Time now);
  // The key, or nullopt.
  absl::StatusOr<std::optional<v1::AllocationKey>> Get(std::string_view lanskod, int year);
  // The county's keys of years before `before_year`, newest first, at most `limit`.
  absl::StatusOr<std::vector<v1::AllocationKey>> List(std::string_view lanskod, int before_year,
                                                      int limit);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::placement
