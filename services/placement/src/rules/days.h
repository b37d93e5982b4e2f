// Calendar days of the placement service: between the API's type.v1.Date, absl::CivilDay and
// the "YYYY-MM-DD" text the SQL queries exchange.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "absl/time/civil_time.h"
#include "lansstyrelsen/integration/type/v1/types.pb.h"

namespace integration::placement {

namespace type = ::lansstyrelsen::integration::type::v1;

// The day of `date`, or nullopt when it is not a real day (2027-02-30, month 0, year 0).
std::optional<absl::CivilDay> DayOf(const type::Date& date);
type::Date DateOf(absl::CivilDay day);

// "2027-01-01"; the form the queries bind and return (to_char(d, 'YYYY-MM-DD')).
std::string DayText(absl::CivilDay day);
// nullopt unless `text` is exactly a real day in that form.
std::optional<absl::CivilDay> ParseDayText(std::string_view text);

// Whole years of age on `on` for a person born on `birth` (a 29 February birthday counts
// from 1 March in common years).
int AgeOn(absl::CivilDay birth, absl::CivilDay on);

}  // namespace integration::placement
