// Unit tests of the calendar-day conversions every service shares.
#include "integration/dates/day.h"

#include "gtest/gtest.h"

namespace integration::dates {
namespace {

TEST(DayTest, RealDaysRoundTripAndImpossibleOnesAreRefused) {
  type::Date date;
  date.set_year(2028);
  date.set_month(2);
  date.set_day(29);
  ASSERT_TRUE(DayOf(date).has_value());
  EXPECT_EQ(*DayOf(date), absl::CivilDay(2028, 2, 29));
  EXPECT_EQ(DateOf(*DayOf(date)).day(), 29);
  date.set_year(2027);
  EXPECT_FALSE(DayOf(date).has_value());
  date.set_month(0);
  EXPECT_FALSE(DayOf(date).has_value());
}

TEST(DayTest, TextIsExactlyIsoDays) {
  EXPECT_EQ(DayText(absl::CivilDay(2027, 1, 5)), "2027-01-05");
  EXPECT_EQ(ParseDayText("2027-01-05"), absl::CivilDay(2027, 1, 5));
  EXPECT_FALSE(ParseDayText("2027-1-05").has_value());
  EXPECT_FALSE(ParseDayText("2027-02-30").has_value());
  EXPECT_FALSE(ParseDayText("2027-01-05x").has_value());
}

TEST(DayTest, AddYearsMovesALeapDayToTheFirstOfMarch) {
  EXPECT_EQ(AddYears(absl::CivilDay(2024, 2, 29), 3), absl::CivilDay(2027, 3, 1));
  EXPECT_EQ(AddYears(absl::CivilDay(2024, 2, 29), 4), absl::CivilDay(2028, 2, 29));
  EXPECT_EQ(AddYears(absl::CivilDay(2024, 6, 10), -1), absl::CivilDay(2023, 6, 10));
}

}  // namespace
}  // namespace integration::dates
