// Session themes and the progress arithmetic of an enrolment (see progress.h).
#include "rules/progress.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "integration/status/status.h"

namespace integration::orientation {

absl::Status CheckSessionThemes(const v1::Session& session, std::string_view field) {
  status::FieldErrors errors;
  std::set<int> seen;
  int64_t total = 0;
  for (int i = 0; i < session.themes_size(); ++i) {
    const v1::ThemeMinutes& t = session.themes(i);
    const std::string at = absl::StrCat(std::string(field), "[", i, "]");
    if (t.theme() < 1 || t.theme() > kThemeCount) {
      errors.Add(absl::StrCat(at, ".theme"), "one of the eight themes");
    } else if (!seen.insert(t.theme()).second) {
      errors.Add(absl::StrCat(at, ".theme"), "each theme at most once per session");
    }
    if (t.minutes() < 1) errors.Add(absl::StrCat(at, ".minutes"), "at least 1 minute");
    total += std::max(0, t.minutes());
  }
  if (session.themes_size() == 0) {
    errors.Add(field, "at least one theme with its minutes");
  } else if (total > kMaxSessionMinutes) {
    errors.Add(field, absl::StrCat("a session lasts at most ", kMaxSessionMinutes,
                                   " minutes; these add up to ", total));
  }
  return errors.ToStatus();
}

int SessionMinutes(const v1::Session& session) {
  int total = 0;
  for (const v1::ThemeMinutes& t : session.themes()) total += t.minutes();
  return total;
}

std::vector<v1::ThemeMinutes> Progress::ThemeList() const {
  std::vector<v1::ThemeMinutes> out;
  for (int i = 0; i < kThemeCount; ++i) {
    if (theme_minutes[i] == 0) continue;
    v1::ThemeMinutes t;
    t.set_theme(static_cast<v1::Theme>(i + 1));
    t.set_minutes(static_cast<int32_t>(theme_minutes[i]));
    out.push_back(std::move(t));
  }
  return out;
}

Progress ComputeProgress(std::vector<AttendedSession> sessions) {
  std::stable_sort(
      sessions.begin(), sessions.end(),
      [](const AttendedSession& a, const AttendedSession& b) { return a.date < b.date; });
  Progress p;
  for (const AttendedSession& s : sessions) {
    if (s.cancelled || s.status != v1::ATTENDANCE_STATUS_PRESENT) continue;
    if (!p.start_date) p.start_date = s.date;
    for (const v1::ThemeMinutes& t : s.themes) {
      if (t.theme() < 1 || t.theme() > kThemeCount || t.minutes() < 1) continue;
      p.theme_minutes[t.theme() - 1] += t.minutes();
      p.attended_minutes += t.minutes();
    }
    if (!p.completion_date && p.attended_minutes >= kCompletionMinutes &&
        std::all_of(p.theme_minutes.begin(), p.theme_minutes.end(),
                    [](int64_t m) { return m > 0; })) {
      p.completion_date = s.date;
    }
  }
  return p;
}

}  // namespace integration::orientation
