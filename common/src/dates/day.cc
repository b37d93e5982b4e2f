// Conversions between the calendar-day forms of the suite (see day.h).
#include "integration/dates/day.h"

#include <array>
#include <string_view>

#include "absl/strings/str_format.h"

namespace integration::dates {

std::optional<absl::CivilDay> DayOf(const type::Date& date) {
  if (date.year() < 1 || date.year() > 9999) return std::nullopt;
  const absl::CivilDay day(date.year(), date.month(), date.day());
  // CivilDay normalises out-of-range fields (2027-02-30 becomes 2027-03-02): a real day comes
  // back unchanged.
  if (day.year() != date.year() || day.month() != date.month() || day.day() != date.day()) {
    return std::nullopt;
  }
  return day;
}

type::Date DateOf(absl::CivilDay day) {
  type::Date out;
  out.set_year(static_cast<int32_t>(day.year()));
  out.set_month(day.month());
  out.set_day(day.day());
  return out;
}

std::string DayText(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

std::optional<absl::CivilDay> ParseDayText(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  y = (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
  m = (text[5] - '0') * 10 + (text[6] - '0');
  d = (text[8] - '0') * 10 + (text[9] - '0');
  type::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return DayOf(date);
}

absl::CivilDay AddYears(absl::CivilDay day, int years) {
  const absl::CivilDay same(day.year() + years, day.month(), day.day());
  // CivilDay normalises 29 February of a common year to 1 March, which is the rule wanted.
  return same;
}

std::string SwedishDate(const type::Date& date) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "januari", "februari", "mars",      "april",   "maj",      "juni",
      "juli",    "augusti",  "september", "oktober", "november", "december"};
  std::string_view month =
      date.month() >= 1 && date.month() <= 12 ? kMonths[date.month() - 1] : "?";
  return std::to_string(date.day()) + " " + std::string(month) + " " + std::to_string(date.year());
}

}  // namespace integration::dates
