// Activities, sessions and attendance from and to PostgreSQL.
#include "activity_repository.h"

#include <utility>

#include "absl/strings/str_join.h"
#include "integration/api/handler.h"
#include "integration/status/status.h"
#include "rules/names.h"

namespace integration::early_measures {
namespace {

absl::StatusOr<Period> PeriodFromRow(const pqxx::row& row, const char* start_col,
                                     const char* end_col) {
  std::optional<absl::CivilDay> start = ParseDayText(row[start_col].as<std::string>());
  std::optional<absl::CivilDay> end = ParseDayText(row[end_col].as<std::string>());
  if (!start || !end) return status::Internal("stored period is not a pair of days");
  return Period{*start, *end};
}

absl::StatusOr<ActivityRecord> ActivityFromRow(const pqxx::row& row) {
  ActivityRecord r;
  r.activity_id = row["activity_id"].as<int64_t>();
  r.orgnr = row["orgnr"].as<std::string>();
  r.revision = row["revision"].as<int64_t>();
  absl::StatusOr<Period> period = PeriodFromRow(row, "period_start", "period_end");
  if (!period.ok()) return period.status();
  absl::StatusOr<Period> funded = PeriodFromRow(row, "funding_start", "funding_end");
  if (!funded.ok()) return funded.status();
  r.period = *period;
  r.funding = Funding{FundingDecision{row["funding_application"].as<std::string>(),
                                      row["funding_diarienummer"].as<std::string>(), *funded},
                      api::FromMicros(row["check_us"].as<int64_t>())};
  v1::Activity& a = r.activity;
  a.set_name(ActivityName(r.orgnr, r.activity_id));
  a.set_display_name(row["display_name"].as<std::string>());
  v1::ActivityType type = v1::ACTIVITY_TYPE_UNSPECIFIED;
  if (!v1::ActivityType_Parse(row["type"].as<std::string>(), &type)) {
    return status::Internal("stored activity type is unknown");
  }
  a.set_type(type);
  a.set_kommunkod(row["kommunkod"].as<std::string>());
  *a.mutable_period() = PeriodOf(*period);
  a.set_planned_sessions(row["planned_sessions"].as<int32_t>());
  a.set_planned_hours(row["planned_hours"].as<int32_t>());
  v1::FundingReference* f = a.mutable_funding();
  f->set_application(row["funding_application"].as<std::string>());
  f->set_diarienummer(row["funding_diarienummer"].as<std::string>());
  *f->mutable_project_period() = PeriodOf(*funded);
  api::SetTimestampMicros(row["check_us"].as<int64_t>(), f->mutable_check_time());
  a.set_lanskod(row["lanskod"].as<std::string>());
  a.set_sessions_held(row["sessions_held"].as<int32_t>());
  api::SetTimestampMicros(row["create_us"].as<int64_t>(), a.mutable_create_time());
  api::SetTimestampMicros(row["update_us"].as<int64_t>(), a.mutable_update_time());
  a.set_etag(api::EtagOf(r.revision));
  return r;
}

absl::StatusOr<SessionRecord> SessionFromRow(const pqxx::row& row, std::string_view orgnr) {
  SessionRecord r;
  r.session_id = row["session_id"].as<int64_t>();
  std::optional<absl::CivilDay> day = ParseDayText(row["session_date"].as<std::string>());
  if (!day) return status::Internal("stored session date is not a day");
  r.day = *day;
  v1::Session& s = r.session;
  s.set_name(SessionName(orgnr, row["activity_id"].as<int64_t>(), r.session_id));
  *s.mutable_date() = DateOf(*day);
  s.set_duration_minutes(row["duration_minutes"].as<int32_t>());
  s.set_attendees(row["attendees"].as<int32_t>());
  s.set_attendance_recorded(row["attendance_recorded"].as<bool>());
  api::SetTimestampMicros(row["create_us"].as<int64_t>(), s.mutable_create_time());
  return r;
}

}  // namespace

int64_t ActivityRepository::Insert(std::string_view orgnr, const v1::Activity& activity,
                                   const Period& period, const Funding& funding,
                                   absl::Time now) {
  const std::string kommunkod = activity.kommunkod();
  return tx_
      .exec_prepared1("activity_insert", std::string(orgnr), kommunkod.substr(0, 2), kommunkod,
                      v1::ActivityType_Name(activity.type()), activity.display_name(),
                      DayText(period.start), DayText(period.end), activity.planned_sessions(),
                      activity.planned_hours(), funding.decision.application,
                      funding.decision.diarienummer, DayText(funding.decision.period.start),
                      DayText(funding.decision.period.end), api::ToMicros(funding.check_time),
                      api::ToMicros(now))[0]
      .as<int64_t>();
}

absl::StatusOr<std::optional<ActivityRecord>> ActivityRepository::Get(int64_t activity_id) {
  pqxx::result r = tx_.exec_prepared("activity_select", activity_id);
  if (r.empty()) return std::optional<ActivityRecord>();
  absl::StatusOr<ActivityRecord> record = ActivityFromRow(r[0]);
  if (!record.ok()) return record.status();
  return std::optional<ActivityRecord>(*std::move(record));
}

std::optional<int64_t> ActivityRepository::Lock(int64_t activity_id, std::string_view orgnr) {
  pqxx::result r = tx_.exec_prepared("activity_lock", activity_id);
  if (r.empty() || r[0]["orgnr"].as<std::string>() != orgnr) return std::nullopt;
  return r[0]["revision"].as<int64_t>();
}

std::optional<int64_t> ActivityRepository::LockShared(int64_t activity_id, std::string_view orgnr) {
  pqxx::result r = tx_.exec_prepared("activity_lock_shared", activity_id);
  if (r.empty() || r[0]["orgnr"].as<std::string>() != orgnr) return std::nullopt;
  return r[0]["revision"].as<int64_t>();
}

void ActivityRepository::Update(int64_t activity_id, const v1::Activity& activity,
                                const Period& period, const Funding& funding, absl::Time now) {
  tx_.exec_prepared0("activity_update", activity_id, activity.display_name(),
                     DayText(period.start), DayText(period.end), activity.planned_sessions(),
                     activity.planned_hours(), funding.decision.application,
                     funding.decision.diarienummer, DayText(funding.decision.period.start),
                     DayText(funding.decision.period.end), api::ToMicros(funding.check_time),
                     api::ToMicros(now));
}

absl::StatusOr<std::vector<ActivityRecord>> ActivityRepository::List(std::string_view orgnr,
                                                                     std::string_view lanskod,
                                                                     int64_t after_id,
                                                                     int limit) {
  pqxx::result ids = tx_.exec_prepared("activity_list", std::string(orgnr), after_id, limit,
                                       std::string(lanskod));
  std::vector<ActivityRecord> out;
  out.reserve(ids.size());
  for (const pqxx::row& row : ids) {
    absl::StatusOr<std::optional<ActivityRecord>> a = Get(row[0].as<int64_t>());
    if (!a.ok()) return a.status();
    if (*a) out.push_back(**std::move(a));
  }
  return out;
}

int64_t ActivityRepository::InsertSession(int64_t activity_id, absl::CivilDay day,
                                          int duration_minutes, absl::Time now) {
  return tx_
      .exec_prepared1("session_insert", activity_id, DayText(day), duration_minutes,
                      api::ToMicros(now))[0]
      .as<int64_t>();
}

absl::StatusOr<std::vector<SessionRecord>> ActivityRepository::Sessions(std::string_view orgnr,
                                                                        int64_t activity_id,
                                                                        int64_t after_id,
                                                                        int limit) {
  pqxx::result r = tx_.exec_prepared("session_list", activity_id, after_id, limit, int64_t{0});
  std::vector<SessionRecord> out;
  out.reserve(r.size());
  for (const pqxx::row& row : r) {
    absl::StatusOr<SessionRecord> s = SessionFromRow(row, orgnr);
    if (!s.ok()) return s.status();
    out.push_back(*std::move(s));
  }
  return out;
}

absl::StatusOr<std::optional<SessionRecord>> ActivityRepository::Session(std::string_view orgnr,
                                                                         int64_t activity_id,
                                                                         int64_t session_id) {
  pqxx::result r = tx_.exec_prepared("session_list", activity_id, int64_t{0}, 1, session_id);
  if (r.empty()) return std::optional<SessionRecord>();
  absl::StatusOr<SessionRecord> s = SessionFromRow(r[0], orgnr);
  if (!s.ok()) return s.status();
  return std::optional<SessionRecord>(*std::move(s));
}

void ActivityRepository::RecordAttendance(int64_t session_id,
                                          const std::vector<int64_t>& participant_ids) {
  tx_.exec_prepared0("attendance_clear", session_id);
  tx_.exec_prepared0("attendance_insert", session_id, absl::StrJoin(participant_ids, ","));
}

}  // namespace integration::early_measures
