// SQL of reclaims (återkrav): reading one or a page of an application's reclaims, finding the
// open one, raising, settling and waiving. Runs on the caller's transaction; libpqxx errors
// propagate to pg::Pool::Transact.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

struct ReclaimRow {
  int64_t reclaim_id = 0;
  int64_t application_id = 0;
  int64_t call_id = 0;
  v1::ReclaimReason reason = v1::RECLAIM_REASON_UNSPECIFIED;
  int64_t amount_ore = 0;
  v1::ReclaimState state = v1::RECLAIM_STATE_UNSPECIFIED;
  std::string comment;
  int64_t settled_ore = 0;
  std::string payment_reference;
  std::string waive_reason;
  absl::Time raise_time;
  std::optional<absl::Time> close_time;
  int64_t revision = 0;

  // "calls/{call}/applications/{application}/reclaims/{reclaim}".
  std::string Name() const;
  v1::Reclaim ToProto() const;
};

class ReclaimRepository {
 public:
  explicit ReclaimRepository(pqxx::work& tx) : tx_(tx) {}

  // With `lock`, the reclaim row stays locked until the transaction ends.
  absl::StatusOr<std::optional<ReclaimRow>> Get(int64_t call_id, int64_t application_id,
                                                int64_t reclaim_id, bool lock);
  // Up to `limit` reclaims of the application, oldest first, after id `after` (0: from the
  // start).
  absl::StatusOr<std::vector<ReclaimRow>> List(int64_t application_id, int64_t after, int limit);
  // The id of the application's RAISED reclaim, if any.
  std::optional<int64_t> FindRaised(int64_t application_id);
  // Inserts a RAISED reclaim and returns its id. A second RAISED one of the application
  // violates reclaims_one_raised.
  int64_t Raise(int64_t application_id, v1::ReclaimReason reason, int64_t amount_ore,
                const std::string& comment, absl::Time raise_time);
  void Settle(int64_t reclaim_id, int64_t settled_ore, const std::string& payment_reference,
              absl::Time close_time);
  void Waive(int64_t reclaim_id, const std::string& reason, absl::Time close_time);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::grants
