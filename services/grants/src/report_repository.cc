// Follow-up reports in PostgreSQL (sql/queries/report_*.sql).
#include "report_repository.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "integration/api/handler.h"
#include "integration/status/status.h"
#include "rules/report_rules.h"
#include "rules/values_rules.h"

namespace integration::grants {
namespace {

// The key of a first page: before every due date and id.
constexpr char kBeforeAllDates[] = "-infinity";

absl::StatusOr<ReportRow> ReportFromRow(const pqxx::row& row) {
  ReportRow r;
  r.report_id = row["report_id"].as<int64_t>();
  r.application_id = row["application_id"].as<int64_t>();
  r.call_id = row["call_id"].as<int64_t>();
  r.lanskod = row["lanskod"].as<std::string>();
  r.type = ReportTypeOf(row["report_type"].as<std::string>());
  if (r.type == v1::REPORT_TYPE_UNSPECIFIED) return status::Internal("stored report type unknown");
  const std::optional<type::Date> due = ParseDateText(row["due_date"].as<std::string>());
  if (!due) return status::Internal("stored report due date is not a date");
  r.due_date = ToCivilDay(*due);
  r.state = ReportStateOf(row["state"].as<std::string>());
  if (r.state == v1::REPORT_STATE_UNSPECIFIED) {
    return status::Internal("stored report state unknown");
  }
  r.used_ore = row["used_ore"].as<int64_t>();
  r.activities = row["activities"].as<std::string>();
  r.participants_women = row["participants_women"].as<int32_t>();
  r.participants_men = row["participants_men"].as<int32_t>();
  r.participants_other = row["participants_other"].as<int32_t>();
  r.outcomes = row["outcomes"].as<std::string>();
  if (const int64_t us = row["submit_micros"].as<int64_t>(0); us != 0)
    r.submit_time = api::FromMicros(us);
  r.accepted_ore = row["accepted_ore"].as<int64_t>();
  r.review_comment = row["review_comment"].as<std::string>();
  r.revision = row["revision"].as<int64_t>();
  return r;
}

absl::StatusOr<std::vector<ReportRow>> ReportsFrom(const pqxx::result& result) {
  std::vector<ReportRow> out;
  out.reserve(result.size());
  for (const pqxx::row& row : result) {
    absl::StatusOr<ReportRow> r = ReportFromRow(row);
    if (!r.ok()) return r.status();
    out.push_back(*std::move(r));
  }
  return out;
}

}  // namespace

std::string ReportRow::Name() const {
  return ChildName(call_id, application_id, "reports", report_id);
}

v1::Report ReportRow::ToProto(absl::CivilDay today) const {
  v1::Report p;
  p.set_name(Name());
  p.set_type(type);
  *p.mutable_due_date() = FromCivilDay(due_date);
  p.set_state(state);
  // Money used and the contents are the applicant's once submitted; a DUE report has none.
  if (state != v1::REPORT_STATE_DUE) p.mutable_used_amount()->set_ore(used_ore);
  p.set_activities(activities);
  p.mutable_participants()->set_women(participants_women);
  p.mutable_participants()->set_men(participants_men);
  p.mutable_participants()->set_other(participants_other);
  p.set_outcomes(outcomes);
  if (submit_time) api::SetTimestamp(*submit_time, p.mutable_submit_time());
  if (state == v1::REPORT_STATE_ACCEPTED) p.mutable_accepted_amount()->set_ore(accepted_ore);
  p.set_review_comment(review_comment);
  p.set_overdue(IsReportOverdue(state, due_date, today));
  p.set_etag(api::EtagOf(revision));
  return p;
}

absl::StatusOr<std::optional<ReportRow>> ReportRepository::Get(int64_t call_id,
                                                               int64_t application_id,
                                                               int64_t report_id, bool lock) {
  const pqxx::result r = tx_.exec_prepared(lock ? "report_get_for_update" : "report_get", call_id,
                                           application_id, report_id);
  if (r.empty()) return std::optional<ReportRow>();
  absl::StatusOr<ReportRow> row = ReportFromRow(r[0]);
  if (!row.ok()) return row.status();
  return std::optional<ReportRow>(*std::move(row));
}

absl::StatusOr<std::vector<ReportRow>> ReportRepository::List(int64_t application_id,
                                                              const std::optional<ReportKey>& after,
                                                              int limit) {
  const std::string due = after ? DayText(after->due_date) : kBeforeAllDates;
  const int64_t id = after ? after->report_id : 0;
  return ReportsFrom(
      tx_.exec_prepared("report_list", application_id, due, id, static_cast<int64_t>(limit)));
}

absl::StatusOr<std::vector<ReportRow>> ReportRepository::ListAll(int64_t application_id) {
  return ReportsFrom(tx_.exec_prepared("report_list_all", application_id));
}

absl::StatusOr<std::vector<ReportRow>> ReportRepository::ListOverdue(
    const std::string& lanskod, absl::CivilDay today, int64_t call_id,
    const std::optional<ReportKey>& after, int limit) {
  const std::string due = after ? DayText(after->due_date) : kBeforeAllDates;
  const int64_t id = after ? after->report_id : 0;
  return ReportsFrom(tx_.exec_prepared("report_list_overdue", lanskod, DayText(today), call_id, due,
                                       id, static_cast<int64_t>(limit)));
}

void ReportRepository::Submit(int64_t report_id, const ReportSubmission& s) {
  tx_.exec_prepared("report_submit", report_id, s.used_ore, s.activities, s.women, s.men, s.other,
                    s.outcomes, api::ToMicros(s.submit_time));
}

void ReportRepository::Accept(int64_t report_id, int64_t accepted_ore, const std::string& comment,
                              absl::Time decide_time) {
  tx_.exec_prepared("report_accept", report_id, accepted_ore, comment, api::ToMicros(decide_time));
}

void ReportRepository::Return(int64_t report_id, const std::string& comment,
                              absl::Time decide_time) {
  tx_.exec_prepared("report_return", report_id, comment, api::ToMicros(decide_time));
}

void ReportRepository::Reschedule(int64_t report_id, absl::CivilDay due_date) {
  tx_.exec_prepared("report_reschedule", report_id, DayText(due_date));
}

}  // namespace integration::grants
