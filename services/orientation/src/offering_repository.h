// Offerings and their sessions in PostgreSQL: the SQL of sql/queries/offering_*.sql and
// session_*.sql. Used inside a pg::Pool transaction; libpqxx exceptions propagate to
// Pool::Transact.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/orientation/v1/resources.pb.h"
#include "rules/offering_rules.h"

namespace integration::orientation {

namespace v1 = ::lansstyrelsen::integration::orientation::v1;

// An offering as stored: the proto and what access checks need.
struct OfferingRecord {
  int64_t offering_id = 0;
  std::string lanskod;
  std::vector<std::string> kommunkoder;
  v1::Offering offering;
};

// An offering's columns a change needs, read under its row lock.
struct LockedOffering {
  std::string lanskod;
  std::vector<std::string> kommunkoder;
  int capacity = 0;
  int64_t enrolled = 0;
  int64_t revision = 0;
  absl::CivilDay start;
  absl::CivilDay end;
  // The dates of its first and last sessions (cancelled ones too), if any.
  std::optional<absl::CivilDay> first_session;
  std::optional<absl::CivilDay> last_session;
};

struct SessionRecord {
  int64_t session_id = 0;
  int64_t offering_id = 0;
  v1::Session session;
};

struct LockedSession {
  int64_t offering_id = 0;
  v1::Session::State state = v1::Session::STATE_UNSPECIFIED;
  int64_t revision = 0;
  int64_t attendance = 0;
};

// "THEME_X:90,THEME_Y:30" as the queries aggregate it → themes in theme order.
absl::StatusOr<std::vector<v1::ThemeMinutes>> ParseThemes(std::string_view text);

class OfferingRepository {
 public:
  explicit OfferingRepository(pqxx::work& tx) : tx_(tx) {}

  int64_t Insert(const v1::Offering& offering, const CheckedOffering& checked, absl::Time now);
  void Update(int64_t offering_id, const v1::Offering& offering, const CheckedOffering& checked,
              absl::Time now);
  absl::StatusOr<std::optional<LockedOffering>> Lock(int64_t offering_id);
  absl::StatusOr<std::optional<OfferingRecord>> Get(int64_t offering_id);
  // A page of a kommun's (kommun) or a county's (lan) offerings.
  absl::StatusOr<std::vector<OfferingRecord>> ListForKommun(std::string_view kommunkod,
                                                            int64_t after_id, int limit);
  absl::StatusOr<std::vector<OfferingRecord>> ListForCounty(std::string_view lanskod,
                                                            int64_t after_id, int limit);

  int64_t InsertSession(int64_t offering_id, absl::CivilDay date, const v1::Session& session,
                        absl::Time now);
  absl::StatusOr<std::optional<LockedSession>> LockSession(int64_t session_id);
  void CancelSession(int64_t session_id, std::string_view reason);
  absl::StatusOr<std::optional<SessionRecord>> GetSession(int64_t session_id);
  absl::StatusOr<std::vector<SessionRecord>> ListSessions(int64_t offering_id, int64_t after_id,
                                                          int limit);

 private:
  absl::StatusOr<std::vector<OfferingRecord>> Offerings(const pqxx::result& rows);
  pqxx::work& tx_;
};

}  // namespace integration::orientation
