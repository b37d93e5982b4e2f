// SQL of follow-up reports: reading one or a page of an application's reports, the county's
// overdue reports, and the transitions (submit, accept, return, reschedule). Runs on the
// caller's transaction; libpqxx errors propagate to pg::Pool::Transact.
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

struct ReportRow {
  int64_t report_id = 0;
  int64_t application_id = 0;
  int64_t call_id = 0;
  std::string lanskod;
  v1::ReportType type = v1::REPORT_TYPE_UNSPECIFIED;
  absl::CivilDay due_date;
  v1::ReportState state = v1::REPORT_STATE_UNSPECIFIED;
  int64_t used_ore = 0;
  std::string activities;
  int32_t participants_women = 0;
  int32_t participants_men = 0;
  int32_t participants_other = 0;
  std::string outcomes;
  std::optional<absl::Time> submit_time;
  int64_t accepted_ore = 0;
  std::string review_comment;
  int64_t revision = 0;

  // "calls/{call}/applications/{application}/reports/{report}".
  std::string Name() const;
  // The resource as callers see it; `today` (Stockholm) decides `overdue`.
  v1::Report ToProto(absl::CivilDay today) const;
};

// The sort key of report lists: due date, then id.
struct ReportKey {
  absl::CivilDay due_date;
  int64_t report_id = 0;
};

// What a submission stores.
struct ReportSubmission {
  int64_t used_ore = 0;
  std::string activities;
  int32_t women = 0;
  int32_t men = 0;
  int32_t other = 0;
  std::string outcomes;
  absl::Time submit_time;
};

class ReportRepository {
 public:
  explicit ReportRepository(pqxx::work& tx) : tx_(tx) {}

  // With `lock`, the report row stays locked until the transaction ends.
  absl::StatusOr<std::optional<ReportRow>> Get(int64_t call_id, int64_t application_id,
                                               int64_t report_id, bool lock);
  // Up to `limit` reports of the application by due date, after `after` when given.
  absl::StatusOr<std::vector<ReportRow>> List(int64_t application_id,
                                              const std::optional<ReportKey>& after, int limit);
  // Every report of the application.
  absl::StatusOr<std::vector<ReportRow>> ListAll(int64_t application_id);
  // Up to `limit` of the county's reports still owed and due before `today`, longest overdue
  // first; `call_id` 0 means every call.
  absl::StatusOr<std::vector<ReportRow>> ListOverdue(const std::string& lanskod,
                                                     absl::CivilDay today, int64_t call_id,
                                                     const std::optional<ReportKey>& after,
                                                     int limit);

  void Submit(int64_t report_id, const ReportSubmission& submission);
  void Accept(int64_t report_id, int64_t accepted_ore, const std::string& comment,
              absl::Time decide_time);
  void Return(int64_t report_id, const std::string& comment, absl::Time decide_time);
  void Reschedule(int64_t report_id, absl::CivilDay due_date);

 private:
  pqxx::work& tx_;
};

}  // namespace integration::grants
