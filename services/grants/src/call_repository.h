// Calls in PostgreSQL: find (alone or with its programme), insert, update, state changes and the
// filtered list, read in the columns of the call_row view. Used inside a pg::Pool transaction;
// libpqxx exceptions propagate to Pool::Transact.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"
#include "rules/call_rules.h"

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

// NOT_FOUND CALL_NOT_FOUND.
absl::Status CallNotFound(int64_t call_id);

// A call with its programme, read together (what a new application is checked against).
struct CallWithProgramme {
  CallRecord call;
  v1::Programme programme;
};

class CallRepository {
 public:
  explicit CallRepository(pqxx::work& tx) : tx_(tx) {}

  // The call, or nullopt; `for_update` takes its row lock (budget and state changes) in the same
  // statement.
  absl::StatusOr<std::optional<CallRecord>> Find(int64_t call_id, bool for_update, absl::Time now);
  // The call and its programme in one statement, or nullopt when the call does not exist.
  absl::StatusOr<std::optional<CallWithProgramme>> FindWithProgramme(int64_t call_id,
                                                                     absl::Time now);

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
