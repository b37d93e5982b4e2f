// Applications in PostgreSQL: find (with the caller's access check), insert, update, submit with
// a diarienummer, withdraw and the tenant-scoped list, read in the columns of the
// application_row view. Used inside a pg::Pool transaction; libpqxx exceptions propagate to
// Pool::Transact.
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
#include "access.h"
#include "integration/auth/tenancy.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"
#include "rules/application_rules.h"
#include "rules/values_rules.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

// Whose applications a list may return.
enum class ApplicationScopeKind { kLan, kKommun, kOrgnr };
struct ApplicationScope {
  ApplicationScopeKind kind = ApplicationScopeKind::kLan;
  // The länskod of the calls, the kommunkod (applicant or co-applicant) or the normalised
  // organisationsnummer (applicant).
  std::string value;
};

// Filters of ListApplications; empty strings and 0 mean "any".
struct ApplicationFilter {
  int64_t call_id = 0;
  std::string state;      // stored state, e.g. "SUBMITTED"
  std::string kommunkod;  // applicant kommun
  ApplicationScope scope;
};

// NOT_FOUND APPLICATION_NOT_FOUND.
absl::Status ApplicationNotFound(int64_t call_id, int64_t application_id);

class ApplicationRepository {
 public:
  explicit ApplicationRepository(pqxx::work& tx) : tx_(tx) {}

  // The application, or nullopt; `for_update` takes its row lock (every state change does).
  absl::StatusOr<std::optional<ApplicationRecord>> Find(int64_t call_id, int64_t application_id,
                                                        bool for_update);
  // The application `key` names if the caller may act on it as `acting`
  // (access::CheckApplication). One the caller may not even read (another county's, another
  // applicant's) is answered exactly as a missing one: `missing`, by default
  // APPLICATION_NOT_FOUND; a child resource passes its own NOT_FOUND, so that its ids cannot be
  // probed either. A reader who may not act so gets the check's PERMISSION_DENIED. With
  // `for_update` the row is locked only once the caller is allowed, and read again under the
  // lock (a caller from elsewhere never holds another's row).
  absl::StatusOr<ApplicationRecord> Load(const auth::Scope& scope, const ApplicationKey& key,
                                         access::Acting acting, bool for_update,
                                         std::optional<absl::Status> missing = std::nullopt);

  // A new DRAFT application of the (normalised, validated) applicant in call `call_id` of
  // county `lanskod`, as stored.
  absl::StatusOr<ApplicationRecord> Insert(int64_t call_id, std::string_view lanskod,
                                           const v1::Application& application,
                                           absl::Time now);
  // Writes what an applicant may change in a draft and moves the revision on.
  void Update(int64_t call_id, int64_t application_id, const v1::Application& application,
              absl::Time now);
  // The next running number of the registry in the year (1 for the first), holding the sequence
  // row's lock until the transaction ends.
  int64_t NextDiarienummerSequence(int registry, int year);
  // DRAFT → SUBMITTED; false when the row is not a draft.
  bool Submit(int64_t call_id, int64_t application_id, std::string_view diarienummer,
              absl::Time now);
  // DRAFT or SUBMITTED → WITHDRAWN; false otherwise.
  bool Withdraw(int64_t call_id, int64_t application_id, std::string_view reason, absl::Time now);
  // Applications after id `after_id`, at most `limit`, oldest first.
  absl::StatusOr<std::vector<ApplicationRecord>> List(const ApplicationFilter& filter,
                                                      int64_t after_id, int limit);

 private:
  pqxx::work& tx_;
};

// The call and one of its applications, both row-locked.
struct LockedCallAndApplication {
  CallRecord call;
  ApplicationRecord app;
};

// For the writers that take both locks (submission, decision): the caller's access to the
// application first (ApplicationRepository::Load without a lock: NOT_FOUND to a caller who may
// not read it), then the lock order every such writer keeps: the call, then the application.
absl::StatusOr<LockedCallAndApplication> LockCallAndApplication(pqxx::work& tx,
                                                                const auth::Scope& scope,
                                                                const ApplicationKey& key,
                                                                access::Acting acting,
                                                                absl::Time now);

}  // namespace integration::grants
