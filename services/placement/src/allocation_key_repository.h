// Allocation keys in PostgreSQL: insert with their shares, get and list. Used inside a
// pg::Pool transaction; libpqxx exceptions propagate to Pool::Transact.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
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
  // Locks the key while its shares change; false when there is none.
  bool Lock(std::string_view lanskod, int year);
  // Writes the key's shares (each kommun's per mille; kommuner new to the key are added).
  void SetShares(std::string_view lanskod, int year, const std::map<std::string, int>& shares);

  // --- Share transfers ---
  // The new AGREED transfer's id.
  int64_t InsertTransfer(std::string_view lanskod, int year, const v1::ShareTransfer& transfer,
                         absl::Time now);
  absl::StatusOr<std::optional<v1::ShareTransfer>> GetTransfer(std::string_view lanskod, int year,
                                                               int64_t transfer_id);
  // Locks the transfer; its state, or nullopt when there is none.
  absl::StatusOr<std::optional<v1::TransferState>> LockTransfer(std::string_view lanskod, int year,
                                                                int64_t transfer_id);
  void DecideTransfer(int64_t transfer_id, v1::TransferState state, absl::Time now);
  // The key's transfers by id after `after_id`, at most `limit`, with their ids.
  absl::StatusOr<std::vector<std::pair<int64_t, v1::ShareTransfer>>> ListTransfers(
      std::string_view lanskod, int year, int64_t after_id, int limit);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::placement
