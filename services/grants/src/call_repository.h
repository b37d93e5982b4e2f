// Calls in PostgreSQL: insert, update, state changes and the filtered list (reads of one call are
// records.h FindCall). Used inside a pg::Pool transaction; libpqxx exceptions propagate to
// Pool::Transact.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"
#include "records.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

// Filters of ListCalls; empty strings mean "any".
struct CallFilter {
  std::string programme_id;
  std::string lanskod;
  std::string effective_state;  // "DRAFT", "OPEN", "CLOSED", "ARCHIVED" as callers see them
  std::string viewer_lan;       // drafts of this county are visible; "" = none
};

// The keyset position of a call in ListCalls' order (newest opening first).
struct CallPosition {
  int64_t open_micros = 0;
  int64_t call_id = 0;
};

class CallRepository {
 public:
  explicit CallRepository(pqxx::work& tx) : tx_(tx) {}

  // A new DRAFT call; its id. The call's fields must have passed ValidateCall.
  int64_t Insert(std::string_view programme_id, std::string_view lanskod, const v1::Call& call,
                 absl::Time now);
  // Writes the administrator's fields and moves the revision on.
  void Update(int64_t call_id, const v1::Call& call, absl::Time now);
  // Stores `state` ("OPEN", "CLOSED", "ARCHIVED") and moves the revision on.
  void SetState(int64_t call_id, std::string_view state, absl::Time now);
  // Calls after `after` (none: from the first), at most `limit`.
  absl::StatusOr<std::vector<CallRecord>> List(const CallFilter& filter,
                                               const std::optional<CallPosition>& after, int limit,
                                               absl::Time now);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::grants
