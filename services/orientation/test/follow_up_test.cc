// Unit tests of the follow-up: survey years from 1 October, suppression of persons below 5,
// county totals summed before suppression, and the CSV form.
#include "rules/follow_up.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace integration::orientation {
namespace {

TEST(FollowUpTest, SurveyYearRunsFromOctoberToSeptember) {
  const SurveyPeriod p = SurveyPeriodOf(2027);
  EXPECT_EQ(p.start, absl::CivilDay(2026, 10, 1));
  EXPECT_EQ(p.end, absl::CivilDay(2027, 9, 30));
  EXPECT_EQ(SurveyYearOf(absl::CivilDay(2026, 9, 30)), 2026);
  EXPECT_EQ(SurveyYearOf(absl::CivilDay(2026, 10, 1)), 2027);
  EXPECT_EQ(SurveyYearOf(absl::CivilDay(2027, 9, 30)), 2027);
}

TEST(FollowUpTest, CountsBelowFiveAreSuppressedButTotalsCountThem) {
  RawFollowUp raw;
  raw.enrolled = {{"0380", 7}, {"0381", 3}};
  raw.started_within_window = {{"0380", 5}, {"0381", 3}};
  raw.completed = {{"0380", 4}};
  raw.minutes_offered = {{"0380", 1200}, {"0381", 600}};
  raw.languages = {{"0380", {"ar", "so"}}, {"0381", {"ar"}}};
  raw.county_minutes_offered = 1200;  // one shared offering counted once
  raw.county_languages = {"ar", "so"};
  const v1::FollowUp f = BuildFollowUp("03", 2027, 90, raw);
  EXPECT_EQ(f.lanskod(), "03");
  EXPECT_EQ(f.start_window_days(), 90);
  EXPECT_EQ(f.period().start_date().month(), 10);
  ASSERT_EQ(f.kommuner_size(), 2);
  const v1::FollowUpFigures& uppsala = f.kommuner(0).figures();
  EXPECT_EQ(f.kommuner(0).kommunkod(), "0380");
  EXPECT_EQ(uppsala.enrolled().value(), 7);
  EXPECT_FALSE(uppsala.enrolled().suppressed());
  EXPECT_EQ(uppsala.started_within_window().value(), 5);
  EXPECT_TRUE(uppsala.completed().suppressed());
  EXPECT_EQ(uppsala.completed().value(), 0);
  EXPECT_TRUE(uppsala.completed_within_one_year().suppressed());
  EXPECT_EQ(uppsala.minutes_offered(), 1200);
  EXPECT_THAT(uppsala.languages_offered(), ::testing::ElementsAre("ar", "so"));
  const v1::FollowUpFigures& other = f.kommuner(1).figures();
  EXPECT_TRUE(other.enrolled().suppressed());
  EXPECT_EQ(other.minutes_offered(), 600);
  EXPECT_EQ(f.total().enrolled().value(), 10);
  EXPECT_EQ(f.total().started_within_window().value(), 8);
  EXPECT_TRUE(f.total().completed().suppressed());
  EXPECT_EQ(f.total().minutes_offered(), 1200);
}

TEST(FollowUpTest, CsvHasAHeaderARowPerKommunAndTheTotal) {
  RawFollowUp raw;
  raw.enrolled = {{"0380", 6}};
  raw.minutes_offered = {{"0380", 90}};
  raw.languages = {{"0380", {"prs", "uk"}}};
  raw.county_minutes_offered = 90;
  raw.county_languages = {"prs", "uk"};
  EXPECT_EQ(FollowUpCsv(BuildFollowUp("03", 2027, 90, raw)),
            "kommunkod,enrolled,started_within_window,completed,completed_within_one_year,"
            "minutes_offered,languages_offered\r\n"
            "0380,6,<5,<5,<5,90,prs uk\r\n"
            "lan 03,6,<5,<5,<5,90,prs uk\r\n");
}

}  // namespace
}  // namespace integration::orientation
