// The county's follow-up figures and their CSV form (see follow_up.h).
#include "rules/follow_up.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "integration/dates/day.h"

namespace integration::orientation {
namespace {

int64_t Sum(const std::map<std::string, int64_t>& counts) {
  int64_t total = 0;
  for (const auto& [unused, n] : counts) total += n;
  return total;
}

int64_t At(const std::map<std::string, int64_t>& counts, const std::string& key) {
  auto it = counts.find(key);
  return it == counts.end() ? 0 : it->second;
}

v1::FollowUpFigures Figures(int64_t enrolled, int64_t started, int64_t completed,
                            int64_t within_year, int64_t minutes,
                            const std::set<std::string>& languages) {
  v1::FollowUpFigures f;
  *f.mutable_enrolled() = PersonCountOf(enrolled);
  *f.mutable_started_within_window() = PersonCountOf(started);
  *f.mutable_completed() = PersonCountOf(completed);
  *f.mutable_completed_within_one_year() = PersonCountOf(within_year);
  f.set_minutes_offered(minutes);
  for (const std::string& l : languages) f.add_languages_offered(l);
  return f;
}

std::string CountText(const v1::PersonCount& count) {
  return count.suppressed() ? "<5" : absl::StrCat(count.value());
}

void AppendRow(std::string& out, std::string_view who, const v1::FollowUpFigures& f) {
  absl::StrAppend(&out, std::string(who), ",", CountText(f.enrolled()), ",",
                  CountText(f.started_within_window()), ",", CountText(f.completed()), ",",
                  CountText(f.completed_within_one_year()), ",", f.minutes_offered(), ",",
                  absl::StrJoin(f.languages_offered(), " "), "\r\n");
}

}  // namespace

SurveyPeriod SurveyPeriodOf(int survey_year) {
  return {absl::CivilDay(survey_year - 1, 10, 1), absl::CivilDay(survey_year, 9, 30)};
}

int SurveyYearOf(absl::CivilDay day) {
  return static_cast<int>(day.month() >= 10 ? day.year() + 1 : day.year());
}

v1::PersonCount PersonCountOf(int64_t value) {
  v1::PersonCount count;
  if (value < kSuppressBelow) {
    count.set_suppressed(true);
  } else {
    count.set_value(value);
  }
  return count;
}

v1::FollowUp BuildFollowUp(std::string_view lanskod, int survey_year, int start_window_days,
                           const RawFollowUp& raw) {
  v1::FollowUp out;
  out.set_lanskod(std::string(lanskod));
  out.set_survey_year(survey_year);
  const SurveyPeriod period = SurveyPeriodOf(survey_year);
  *out.mutable_period()->mutable_start_date() = dates::DateOf(period.start);
  *out.mutable_period()->mutable_end_date() = dates::DateOf(period.end);
  out.set_start_window_days(start_window_days);
  *out.mutable_total() =
      Figures(Sum(raw.enrolled), Sum(raw.started_within_window), Sum(raw.completed),
              Sum(raw.completed_within_one_year), raw.county_minutes_offered, raw.county_languages);
  std::set<std::string> kommuner;
  for (const auto* counts : {&raw.enrolled, &raw.started_within_window, &raw.completed,
                             &raw.completed_within_one_year, &raw.minutes_offered}) {
    for (const auto& [kommunkod, unused] : *counts) kommuner.insert(kommunkod);
  }
  for (const auto& [kommunkod, unused] : raw.languages) kommuner.insert(kommunkod);
  const std::set<std::string> none;
  for (const std::string& k : kommuner) {
    v1::KommunFollowUp* row = out.add_kommuner();
    row->set_kommunkod(k);
    auto languages = raw.languages.find(k);
    *row->mutable_figures() =
        Figures(At(raw.enrolled, k), At(raw.started_within_window, k), At(raw.completed, k),
                At(raw.completed_within_one_year, k), At(raw.minutes_offered, k),
                languages == raw.languages.end() ? none : languages->second);
  }
  return out;
}

std::string FollowUpCsv(const v1::FollowUp& follow_up) {
  std::string out =
      "kommunkod,enrolled,started_within_window,completed,completed_within_one_year,"
      "minutes_offered,languages_offered\r\n";
  for (const v1::KommunFollowUp& row : follow_up.kommuner()) {
    AppendRow(out, row.kommunkod(), row.figures());
  }
  AppendRow(out, absl::StrCat("lan ", follow_up.lanskod()), follow_up.total());
  return out;
}

}  // namespace integration::orientation
