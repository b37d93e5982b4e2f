// The follow-up's raw counts (see follow_up_repository.h).
#include "follow_up_repository.h"

#include <string>

#include "integration/dates/day.h"

namespace integration::orientation {

RawFollowUp LoadFollowUp(pqxx::work& tx, std::string_view lanskod, const SurveyPeriod& period,
                         int window_days) {
  RawFollowUp raw;
  for (const pqxx::row& row :
       tx.exec_prepared("follow_up_figures", std::string(lanskod), dates::DayText(period.start),
                        dates::DayText(period.end), window_days)) {
    const std::string figure = row["figure"].as<std::string>();
    const std::string kommunkod = row["kommunkod"].as<std::string>();
    const int64_t value = row["value"].as<int64_t>();
    if (figure == "enrolled") {
      raw.enrolled[kommunkod] = value;
    } else if (figure == "started_within_window") {
      raw.started_within_window[kommunkod] = value;
    } else if (figure == "completed") {
      raw.completed[kommunkod] = value;
    } else if (figure == "completed_within_one_year") {
      raw.completed_within_one_year[kommunkod] = value;
    } else if (figure == "minutes_offered") {
      if (kommunkod.empty()) {
        raw.county_minutes_offered = value;
      } else {
        raw.minutes_offered[kommunkod] = value;
      }
    } else if (figure == "language") {
      const std::string language = row["language"].as<std::string>();
      if (kommunkod.empty()) {
        raw.county_languages.insert(language);
      } else {
        raw.languages[kommunkod].insert(language);
      }
    }
  }
  return raw;
}

}  // namespace integration::orientation
