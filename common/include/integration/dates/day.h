// Calendar days between the API's type.v1.Date, absl::CivilDay and the "YYYY-MM-DD" text the
// SQL queries exchange: one set of conversions for every service.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/time/civil_time.h"
#include "lansstyrelsen/integration/type/v1/types.pb.h"

namespace integration::dates {

namespace type = ::lansstyrelsen::integration::type::v1;

// The day of `date`, or nullopt when it is not a real day (2027-02-30, month 0, year 0).
std::optional<absl::CivilDay> DayOf(const type::Date& date);
type::Date DateOf(absl::CivilDay day);

// "2027-01-01"; the form the queries bind and return (to_char(d, 'YYYY-MM-DD')).
std::string DayText(absl::CivilDay day);
// nullopt unless `text` is exactly a real day in that form.
std::optional<absl::CivilDay> ParseDayText(std::string_view text);

// The same day `years` later (or earlier, when negative); 29 February becomes 1 March in a
// common year, as anniversaries are counted in Swedish law (and by se::AgeOn).
absl::CivilDay AddYears(absl::CivilDay day, int years);

// "14 mars 2026": a date as Swedish readers write it (documents, letters).
std::string SwedishDate(const type::Date& date);

}  // namespace integration::dates
