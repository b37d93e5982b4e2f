// The county's follow-up of civic orientation per survey year (1 October - 30 September): the
// figures per kommun and in total from raw counts, persons below 5 suppressed, and the CSV
// export. Pure. Only primary suppression, as in the other services' statistics: the audience
// is the county board's officers.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "absl/time/civil_time.h"
#include "lansstyrelsen/integration/orientation/v1/resources.pb.h"

namespace integration::orientation {

namespace v1 = ::lansstyrelsen::integration::orientation::v1;

inline constexpr int64_t kSuppressBelow = 5;

struct SurveyPeriod {
  absl::CivilDay start;  // 1 October of the year before
  absl::CivilDay end;    // 30 September of the survey year (inclusive)
};
// Survey year 2027 runs 2026-10-01 to 2027-09-30.
SurveyPeriod SurveyPeriodOf(int survey_year);
// The survey year `day` falls in.
int SurveyYearOf(absl::CivilDay day);

// `value` as shown: suppressed (and 0) below kSuppressBelow.
v1::PersonCount PersonCountOf(int64_t value);

// The counts follow_up_figures.sql returns, by kommunkod.
struct RawFollowUp {
  std::map<std::string, int64_t> enrolled;
  std::map<std::string, int64_t> started_within_window;
  std::map<std::string, int64_t> completed;
  std::map<std::string, int64_t> completed_within_one_year;
  std::map<std::string, int64_t> minutes_offered;
  std::map<std::string, std::set<std::string>> languages;
  // The county's minutes and languages, each session once (a shared offering counts for each
  // of its kommuner above, once here).
  int64_t county_minutes_offered = 0;
  std::set<std::string> county_languages;
};

// The follow-up (totals summed before suppression; a row per kommun with any figure).
v1::FollowUp BuildFollowUp(std::string_view lanskod, int survey_year, int start_window_days,
                           const RawFollowUp& raw);

// CSV (RFC 4180, "\r\n" line ends): a header row, one row per kommun, then the county total
// ("kommunkod" = "lan <lanskod>"); a suppressed count is written "<5"; languages separated by
// spaces in one column.
std::string FollowUpCsv(const v1::FollowUp& follow_up);

}  // namespace integration::orientation
