// Placement units in PostgreSQL: insert, lock, update, get and list, with their occupancy.
// Used inside a pg::Pool transaction; libpqxx exceptions propagate to Pool::Transact.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/placement/v1/resources.pb.h"

namespace integration::placement {

namespace v1 = ::lansstyrelsen::integration::placement::v1;

// A unit as stored: the proto with its occupancy, and its id.
struct UnitRecord {
  int64_t unit_id = 0;
  std::string lanskod;
  v1::Unit unit;
};

// A unit's columns a change needs, read under its row lock.
struct LockedUnit {
  std::string kommunkod;
  int64_t revision = 0;
  int places = 0;
};

class UnitRepository {
 public:
  explicit UnitRepository(pqxx::work& tx) : tx_(tx) {}

  // The new unit's id; `unit`'s kept fields are written (CheckUnit has passed).
  int64_t Insert(std::string_view kommunkod, std::string_view lanskod, const v1::Unit& unit,
                 absl::Time now);
  std::optional<LockedUnit> Lock(int64_t unit_id);
  // Writes the kept fields and moves the revision on.
  void Update(int64_t unit_id, const v1::Unit& unit, absl::Time now);
  absl::StatusOr<std::optional<UnitRecord>> Get(int64_t unit_id);
  // The kommun's units by id after `after_id`, at most `limit`.
  absl::StatusOr<std::vector<UnitRecord>> List(std::string_view kommunkod, int64_t after_id,
                                               int limit);
  // The unit's CONFIRMED and ACTIVE placements.
  int64_t Taken(int64_t unit_id);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::placement
