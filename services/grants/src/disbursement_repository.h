// SQL of disbursements (the payment plan of an approved application): the committed sum,
// instalments and their transitions, and the application's paid amount. Runs on the caller's
// transaction; libpqxx errors propagate to pg::Pool::Transact.
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "lansstyrelsen/integration/grants/v1/resources.pb.h"

namespace integration::grants {

namespace v1 = ::lansstyrelsen::integration::grants::v1;

struct DisbursementRow {
  int64_t disbursement_id = 0;
  int64_t amount_ore = 0;
  std::string scheduled_date;  // YYYY-MM-DD
  std::string state;           // "SCHEDULED", "PAID", "CANCELLED"
  int64_t revision = 0;
  v1::Disbursement disbursement;  // every field set, etag included
};

class DisbursementRepository {
 public:
  explicit DisbursementRepository(pqxx::work& tx) : tx_(tx) {}

  // The sum of the application's SCHEDULED and PAID instalments.
  int64_t Committed(int64_t application_id);
  absl::StatusOr<DisbursementRow> Insert(int64_t call_id, int64_t application_id,
                                         int64_t amount_ore, absl::CivilDay scheduled,
                                         absl::Time now);
  // The instalment, or nullopt; `for_update` takes its row lock.
  absl::StatusOr<std::optional<DisbursementRow>> Find(int64_t call_id, int64_t application_id,
                                                      int64_t disbursement_id, bool for_update);
  // SCHEDULED → PAID / CANCELLED; nullopt when it was not SCHEDULED.
  absl::StatusOr<std::optional<DisbursementRow>> Pay(int64_t call_id, int64_t application_id,
                                                     int64_t disbursement_id,
                                                     const std::string& reference, absl::Time now);
  absl::StatusOr<std::optional<DisbursementRow>> Cancel(int64_t call_id, int64_t application_id,
                                                        int64_t disbursement_id, absl::Time now);
  // Adds a paid instalment to the application's paid amount.
  void AddPaid(int64_t application_id, int64_t amount_ore, absl::Time now);
  // Instalments by scheduled date strictly after (date, id); the first page passes
  // ("-infinity", 0).
  absl::StatusOr<std::vector<DisbursementRow>> List(int64_t call_id, int64_t application_id,
                                                    const std::string& after_date, int64_t after_id,
                                                    int limit);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::grants
