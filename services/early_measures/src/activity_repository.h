// Activities with their sessions and attendance in PostgreSQL. Used inside a pg::Pool
// transaction; libpqxx exceptions propagate to Pool::Transact.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/early_measures/v1/resources.pb.h"
#include "rules/tia_rules.h"

namespace integration::early_measures {

// What grants confirmed for an activity.
struct Funding {
  FundingDecision decision;
  absl::Time check_time;
};

// An activity as stored: the proto, its organisation, period and funding as values, its
// revision.
struct ActivityRecord {
  int64_t activity_id = 0;
  std::string orgnr;
  Period period;
  Funding funding;
  int64_t revision = 0;
  v1::Activity activity;
};

struct SessionRecord {
  int64_t session_id = 0;
  absl::CivilDay day;
  v1::Session session;
};

class ActivityRepository {
 public:
  explicit ActivityRepository(pqxx::work& tx) : tx_(tx) {}

  // The new activity's id; `activity` has passed CheckActivity.
  int64_t Insert(std::string_view orgnr, const v1::Activity& activity, const Period& period,
                 const Funding& funding, absl::Time now);
  absl::StatusOr<std::optional<ActivityRecord>> Get(int64_t activity_id);
  // The activity's revision under its row lock; nullopt when it is not organisation `orgnr`'s.
  std::optional<int64_t> Lock(int64_t activity_id, std::string_view orgnr);
  // The same as a share lock: the activity cannot change until the transaction ends, while
  // other transactions holding a share lock go on (adding sessions).
  std::optional<int64_t> LockShared(int64_t activity_id, std::string_view orgnr);
  // Writes title, period, plan and funding; moves the revision on.
  void Update(int64_t activity_id, const v1::Activity& activity, const Period& period,
              const Funding& funding, absl::Time now);
  // The organisation's activities after `after_id`, at most `limit`; of county `lanskod` only
  // unless empty.
  absl::StatusOr<std::vector<ActivityRecord>> List(std::string_view orgnr,
                                                   std::string_view lanskod, int64_t after_id,
                                                   int limit);

  int64_t InsertSession(int64_t activity_id, absl::CivilDay day, int duration_minutes,
                        absl::Time now);
  // The sessions of organisation `orgnr`'s activity after `after_id`, at most `limit`.
  absl::StatusOr<std::vector<SessionRecord>> Sessions(std::string_view orgnr, int64_t activity_id,
                                                      int64_t after_id, int limit);
  // One session of the activity.
  absl::StatusOr<std::optional<SessionRecord>> Session(std::string_view orgnr,
                                                       int64_t activity_id, int64_t session_id);
  // Replaces the session's attendance by `participant_ids` and marks it recorded.
  void RecordAttendance(int64_t session_id, const std::vector<int64_t>& participant_ids);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::early_measures
