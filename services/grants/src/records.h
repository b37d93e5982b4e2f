// The records every area of the grants service loads: a programme, a call and an application,
// read from PostgreSQL into their proto with the columns the rules need (who may see or change
// them is access.h's). Used inside a pg::Pool transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "access.h"
#include "integration/auth/tenancy.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"
#include "rules/values_rules.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

// --- Programmes ---

// NOT_FOUND PROGRAMME_NOT_FOUND.
absl::Status ProgrammeNotFound(std::string_view programme_id);
// The programme, or nullopt. Columns: see sql/queries/record_programme_get.sql.
absl::StatusOr<std::optional<v1::Programme>> FindProgramme(pqxx::work& tx,
                                                           std::string_view programme_id);
// Reads a programme row (the columns of record_programme_get.sql, in order) into its proto.
absl::StatusOr<v1::Programme> ProgrammeFromRow(const pqxx::row& row);

// --- Calls ---

struct CallRecord {
  int64_t call_id = 0;
  std::string programme_id;
  std::string lanskod;
  std::string stored_state;  // "DRAFT", "OPEN", "CLOSED", "ARCHIVED" as stored
  absl::Time open_time;
  absl::Time close_time;
  int64_t budget_ore = 0;
  int64_t max_per_application_ore = 0;
  Period funding;
  int64_t approved_total_ore = 0;
  int64_t revision = 0;
  v1::Call call;  // the proto, with the effective state (see EffectiveCallState)

  // Whether submissions are accepted at `now`: OPEN and open_time <= now < close_time.
  bool AcceptsSubmissions(absl::Time now) const;
};

// The state callers see: an OPEN call whose close_time has passed is CLOSED.
v1::CallState EffectiveCallState(std::string_view stored_state, absl::Time close_time,
                                 absl::Time now);

// NOT_FOUND CALL_NOT_FOUND.
absl::Status CallNotFound(int64_t call_id);
// The call, or nullopt; `for_update` takes its row lock (budget and state changes).
absl::StatusOr<std::optional<CallRecord>> FindCall(pqxx::work& tx, int64_t call_id,
                                                   bool for_update, absl::Time now);
// Reads a call row (the columns of record_call_get.sql, in order).
absl::StatusOr<CallRecord> CallFromRow(const pqxx::row& row, absl::Time now);

// A call with its programme, read together (what a new application is checked against).
struct CallWithProgramme {
  CallRecord call;
  v1::Programme programme;
};
// The call and its programme in one statement, or nullopt when the call does not exist.
absl::StatusOr<std::optional<CallWithProgramme>> FindCallWithProgramme(pqxx::work& tx,
                                                                       int64_t call_id,
                                                                       absl::Time now);

// Whether the caller may see the call (access::CanSeeCall).
bool CanSeeCall(const auth::Scope& scope, const CallRecord& call);

// --- Applications ---

struct ApplicationRecord {
  int64_t call_id = 0;
  int64_t application_id = 0;
  std::string lanskod;
  std::string programme_id;
  std::string applicant_kommunkod;  // empty for organisations
  std::string applicant_orgnr;      // empty for kommuner
  std::string stored_state;         // "DRAFT", "SUBMITTED", "UNDER_REVIEW", "DECIDED", ...
  std::string decision_outcome;     // "", "APPROVED", "PARTIALLY_APPROVED", "REJECTED"
  std::optional<Period> period;     // unset while a draft has none
  int64_t requested_ore = 0;
  int64_t approved_ore = 0;
  int64_t paid_ore = 0;
  int64_t revision = 0;
  v1::Application application;  // the proto

  // DECIDED with APPROVED or PARTIALLY_APPROVED.
  bool Approved() const;
  std::string Name() const { return ApplicationName(call_id, application_id); }
  // Whom it belongs to, for the access rules.
  access::ApplicationOwners Owners() const;
};

// NOT_FOUND APPLICATION_NOT_FOUND.
absl::Status ApplicationNotFound(int64_t call_id, int64_t application_id);
// The application, or nullopt; `for_update` takes its row lock (every state change does).
absl::StatusOr<std::optional<ApplicationRecord>> FindApplication(pqxx::work& tx, int64_t call_id,
                                                                 int64_t application_id,
                                                                 bool for_update);
// Reads an application row: the columns of record_application_get.sql, in order, which
// application_insert.sql returns as well.
absl::StatusOr<ApplicationRecord> ApplicationFromRow(const pqxx::row& row);

// The application `key` names, row-locked when `for_update`, if the caller may act on it as
// `acting` (access::CheckApplication): NOT_FOUND APPLICATION_NOT_FOUND, or the access check's
// PERMISSION_DENIED.
absl::StatusOr<ApplicationRecord> LoadApplication(pqxx::work& tx, const auth::Scope& scope,
                                                  const ApplicationKey& key, access::Acting acting,
                                                  bool for_update);

// The state change errors: FAILED_PRECONDITION with `reason` (e.g. APPLICATION_NOT_DRAFT) and
// metadata {resource, state}.
absl::Status WrongState(std::string_view reason, std::string_view resource,
                        std::string_view state, std::string_view message);

}  // namespace integration::grants
