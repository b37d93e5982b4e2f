// Offerings and sessions in PostgreSQL (see offering_repository.h).
#include "offering_repository.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "integration/api/handler.h"
#include "integration/dates/day.h"
#include "integration/status/status.h"
#include "rules/names.h"
#include "rules/progress.h"

namespace integration::orientation {
namespace {

std::vector<std::string> SplitCodes(const pqxx::field& field) {
  std::vector<std::string> out;
  if (field.is_null()) return out;
  for (absl::string_view code : absl::StrSplit(field.as<std::string>(), ',', absl::SkipEmpty())) {
    out.emplace_back(code);
  }
  return out;
}

absl::StatusOr<absl::CivilDay> DayColumn(const pqxx::field& field) {
  std::optional<absl::CivilDay> day = dates::ParseDayText(field.as<std::string>());
  if (!day) return status::Internal("a stored date is unreadable");
  return *day;
}

absl::StatusOr<OfferingRecord> OfferingFromRow(const pqxx::row& row) {
  OfferingRecord out;
  out.offering_id = row["offering_id"].as<int64_t>();
  out.lanskod = row["lanskod"].as<std::string>();
  out.kommunkoder = SplitCodes(row["kommunkoder"]);
  v1::Offering& o = out.offering;
  o.set_name(OfferingName(out.offering_id));
  o.set_display_name(row["display_name"].as<std::string>());
  o.set_language(row["language"].as<std::string>());
  o.set_communicator(row["communicator"].as<std::string>());
  absl::StatusOr<absl::CivilDay> start = DayColumn(row["start_date"]);
  absl::StatusOr<absl::CivilDay> end = DayColumn(row["end_date"]);
  if (!start.ok()) return start.status();
  if (!end.ok()) return end.status();
  *o.mutable_period()->mutable_start_date() = dates::DateOf(*start);
  *o.mutable_period()->mutable_end_date() = dates::DateOf(*end);
  o.set_capacity(row["capacity"].as<int>());
  for (const std::string& k : out.kommunkoder) o.add_kommunkoder(k);
  o.set_lanskod(out.lanskod);
  o.set_minutes_offered(row["minutes_offered"].as<int64_t>());
  o.set_enrolled(row["enrolled"].as<int>());
  api::SetTimestampMicros(row["create_us"].as<int64_t>(), o.mutable_create_time());
  api::SetTimestampMicros(row["update_us"].as<int64_t>(), o.mutable_update_time());
  o.set_etag(api::EtagOf(row["revision"].as<int64_t>()));
  return out;
}

absl::StatusOr<SessionRecord> SessionFromRow(const pqxx::row& row) {
  SessionRecord out;
  out.session_id = row["session_id"].as<int64_t>();
  out.offering_id = row["offering_id"].as<int64_t>();
  v1::Session& s = out.session;
  s.set_name(SessionName(out.offering_id, out.session_id));
  absl::StatusOr<absl::CivilDay> date = DayColumn(row["session_date"]);
  if (!date.ok()) return date.status();
  *s.mutable_date() = dates::DateOf(*date);
  absl::StatusOr<std::vector<v1::ThemeMinutes>> themes =
      ParseThemes(row["themes"].is_null() ? "" : row["themes"].as<std::string>());
  if (!themes.ok()) return themes.status();
  for (v1::ThemeMinutes& t : *themes) *s.add_themes() = std::move(t);
  s.set_minutes(row["minutes"].as<int>());
  v1::Session::State state = v1::Session::STATE_UNSPECIFIED;
  if (!v1::Session::State_Parse(row["state"].as<std::string>(), &state)) {
    return status::Internal("a session with an unreadable state");
  }
  s.set_state(state);
  s.set_cancel_reason(row["cancel_reason"].as<std::string>());
  api::SetTimestampMicros(row["create_us"].as<int64_t>(), s.mutable_create_time());
  s.set_etag(api::EtagOf(row["revision"].as<int64_t>()));
  return out;
}

}  // namespace

absl::StatusOr<std::vector<v1::ThemeMinutes>> ParseThemes(std::string_view text) {
  std::vector<v1::ThemeMinutes> out;
  for (absl::string_view item :
       absl::StrSplit(absl::string_view(text.data(), text.size()), ',', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> parts = absl::StrSplit(item, ':');
    v1::Theme theme = v1::THEME_UNSPECIFIED;
    int minutes = 0;
    if (!v1::Theme_Parse(std::string(parts.first), &theme) ||
        !absl::SimpleAtoi(parts.second, &minutes)) {
      return status::Internal("a stored session theme is unreadable");
    }
    v1::ThemeMinutes t;
    t.set_theme(theme);
    t.set_minutes(minutes);
    out.push_back(std::move(t));
  }
  std::sort(out.begin(), out.end(), [](const v1::ThemeMinutes& a, const v1::ThemeMinutes& b) {
    return a.theme() < b.theme();
  });
  return out;
}

int64_t OfferingRepository::Insert(const v1::Offering& offering, const CheckedOffering& checked,
                                   absl::Time now) {
  pqxx::result r =
      tx_.exec_prepared("offering_insert", checked.lanskod, offering.display_name(),
                        offering.language(), offering.communicator(), dates::DayText(checked.start),
                        dates::DayText(checked.end), offering.capacity(), api::ToMicros(now));
  const int64_t id = r[0]["offering_id"].as<int64_t>();
  for (const std::string& kommunkod : checked.kommunkoder) {
    tx_.exec_prepared("offering_add_kommun", id, kommunkod);
  }
  return id;
}

void OfferingRepository::Update(int64_t offering_id, const v1::Offering& offering,
                                const CheckedOffering& checked, absl::Time now) {
  tx_.exec_prepared("offering_update", offering_id, offering.display_name(), offering.language(),
                    offering.communicator(), dates::DayText(checked.start),
                    dates::DayText(checked.end), offering.capacity(), api::ToMicros(now));
}

absl::StatusOr<std::optional<LockedOffering>> OfferingRepository::Lock(int64_t offering_id) {
  pqxx::result r = tx_.exec_prepared("offering_lock", offering_id);
  if (r.empty()) return std::optional<LockedOffering>();
  const pqxx::row& row = r[0];
  LockedOffering out;
  out.lanskod = row["lanskod"].as<std::string>();
  out.kommunkoder = SplitCodes(row["kommunkoder"]);
  out.capacity = row["capacity"].as<int>();
  out.enrolled = row["enrolled"].as<int64_t>();
  out.revision = row["revision"].as<int64_t>();
  absl::StatusOr<absl::CivilDay> start = DayColumn(row["start_date"]);
  absl::StatusOr<absl::CivilDay> end = DayColumn(row["end_date"]);
  if (!start.ok()) return start.status();
  if (!end.ok()) return end.status();
  out.start = *start;
  out.end = *end;
  if (!row["first_session"].is_null()) {
    absl::StatusOr<absl::CivilDay> first = DayColumn(row["first_session"]);
    absl::StatusOr<absl::CivilDay> last = DayColumn(row["last_session"]);
    if (!first.ok()) return first.status();
    if (!last.ok()) return last.status();
    out.first_session = *first;
    out.last_session = *last;
  }
  return std::optional<LockedOffering>(std::move(out));
}

absl::StatusOr<std::vector<OfferingRecord>> OfferingRepository::Offerings(
    const pqxx::result& rows) {
  std::vector<OfferingRecord> out;
  for (const pqxx::row& row : rows) {
    absl::StatusOr<OfferingRecord> record = OfferingFromRow(row);
    if (!record.ok()) return record.status();
    out.push_back(*std::move(record));
  }
  return out;
}

absl::StatusOr<std::optional<OfferingRecord>> OfferingRepository::Get(int64_t offering_id) {
  absl::StatusOr<std::vector<OfferingRecord>> found =
      Offerings(tx_.exec_prepared("offering_get", offering_id));
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<OfferingRecord>();
  return std::optional<OfferingRecord>(std::move(found->front()));
}

absl::StatusOr<std::vector<OfferingRecord>> OfferingRepository::ListForKommun(
    std::string_view kommunkod, int64_t after_id, int limit) {
  return Offerings(
      tx_.exec_prepared("offering_list_kommun", std::string(kommunkod), after_id, limit));
}

absl::StatusOr<std::vector<OfferingRecord>> OfferingRepository::ListForCounty(
    std::string_view lanskod, int64_t after_id, int limit) {
  return Offerings(tx_.exec_prepared("offering_list_lan", std::string(lanskod), after_id, limit));
}

int64_t OfferingRepository::InsertSession(int64_t offering_id, absl::CivilDay date,
                                          const v1::Session& session, absl::Time now) {
  pqxx::result r = tx_.exec_prepared("session_insert", offering_id, dates::DayText(date),
                                     SessionMinutes(session), api::ToMicros(now));
  const int64_t id = r[0]["session_id"].as<int64_t>();
  for (const v1::ThemeMinutes& t : session.themes()) {
    tx_.exec_prepared("session_theme_insert", id, v1::Theme_Name(t.theme()), t.minutes());
  }
  return id;
}

absl::StatusOr<std::optional<LockedSession>> OfferingRepository::LockSession(int64_t session_id) {
  pqxx::result r = tx_.exec_prepared("session_lock", session_id);
  if (r.empty()) return std::optional<LockedSession>();
  LockedSession out;
  out.offering_id = r[0]["offering_id"].as<int64_t>();
  if (!v1::Session::State_Parse(r[0]["state"].as<std::string>(), &out.state)) {
    return status::Internal("a session with an unreadable state");
  }
  out.revision = r[0]["revision"].as<int64_t>();
  out.attendance = r[0]["attendance"].as<int64_t>();
  return std::optional<LockedSession>(out);
}

void OfferingRepository::CancelSession(int64_t session_id, std::string_view reason) {
  tx_.exec_prepared("session_cancel", session_id, std::string(reason));
}

absl::StatusOr<std::optional<SessionRecord>> OfferingRepository::GetSession(int64_t session_id) {
  pqxx::result r = tx_.exec_prepared("session_get", session_id);
  if (r.empty()) return std::optional<SessionRecord>();
  absl::StatusOr<SessionRecord> record = SessionFromRow(r[0]);
  if (!record.ok()) return record.status();
  return std::optional<SessionRecord>(*std::move(record));
}

absl::StatusOr<std::vector<SessionRecord>> OfferingRepository::ListSessions(int64_t offering_id,
                                                                            int64_t after_id,
                                                                            int limit) {
  std::vector<SessionRecord> out;
  for (const pqxx::row& row : tx_.exec_prepared("session_list", offering_id, after_id, limit)) {
    absl::StatusOr<SessionRecord> record = SessionFromRow(row);
    if (!record.ok()) return record.status();
    out.push_back(*std::move(record));
  }
  return out;
}

}  // namespace integration::orientation
