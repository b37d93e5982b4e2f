// Placements in PostgreSQL: propose, lock, move through their states, get and list, and the
// units where a child's siblings are placed. Used inside a pg::Pool transaction; libpqxx
// exceptions propagate to Pool::Transact.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/placement/v1/resources.pb.h"

namespace integration::placement {

namespace v1 = ::lansstyrelsen::integration::placement::v1;

struct PlacementRecord {
  int64_t placement_id = 0;
  int64_t unit_id = 0;
  v1::Placement placement;
};

// A placement's columns a change needs, read under its row lock.
struct LockedPlacement {
  int64_t unit_id = 0;
  v1::PlacementState state = v1::PLACEMENT_STATE_UNSPECIFIED;
  int64_t revision = 0;
};

class PlacementRepository {
 public:
  explicit PlacementRepository(pqxx::work& tx) : tx_(tx) {}

  // The new placement's id, PROPOSED; nullopt when the child has an open placement.
  std::optional<int64_t> Insert(int64_t child_id, int64_t unit_id,
                                std::string_view sibling_override_reason, absl::Time now);
  absl::StatusOr<std::optional<LockedPlacement>> Lock(int64_t child_id, int64_t placement_id);
  // Moves the placement to `state` (stamping its time) with `end_reason` when ENDED.
  void SetState(int64_t placement_id, v1::PlacementState state, v1::EndReason end_reason,
                absl::Time now);
  absl::StatusOr<std::optional<PlacementRecord>> Get(int64_t child_id, int64_t placement_id);
  absl::StatusOr<std::vector<PlacementRecord>> List(int64_t child_id, int64_t after_id, int limit);
  // The units where the other children of `sibling_group` have open placements.
  std::vector<int64_t> SiblingUnits(std::string_view sibling_group, int64_t child_id);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::placement
