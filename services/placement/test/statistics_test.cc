// Placement statistics from raw counts: suppression below 5, kommun rows of the county only,
// totals over everything, every unit type.
#include "rules/statistics.h"

#include <gtest/gtest.h>

namespace integration::placement {
namespace {

TEST(CountOfTest, SuppressesBelowFive) {
  for (int64_t v : {0, 1, 4}) {
    EXPECT_TRUE(CountOf(v).suppressed()) << v;
    EXPECT_EQ(CountOf(v).value(), 0) << v;
  }
  EXPECT_FALSE(CountOf(5).suppressed());
  EXPECT_EQ(CountOf(5).value(), 5);
}

TEST(BuildStatisticsTest, KommunRowsTotalsAndTypes) {
  RawFigures raw;
  raw.arrivals = {{"0380", 7}, {"0180", 2}};  // one arrived in Stockholm, handled by Uppsala län
  raw.assignments = {{"0380", 6}, {"0305", 3}};
  raw.waiting = {{"", 2}, {"0380", 5}};
  raw.places = {{"0380", 10}, {"0360", 4}};
  raw.taken = {{"0380", 3}};
  raw.by_type = {{"UNIT_TYPE_HVB", 3}};
  const v1::PlacementStatistics s = BuildStatistics("03", 2027, "counties/03/allocationKeys/2027",
                                                    {{"0380", 20}, {"0305", 5}, {"0331", 5}}, raw);
  EXPECT_EQ(s.lanskod(), "03");
  EXPECT_EQ(s.totals().arrivals().value(), 9);
  EXPECT_EQ(s.totals().assignments().value(), 9);
  EXPECT_EQ(s.totals().waiting().value(), 7);
  EXPECT_EQ(s.totals().places(), 14);
  EXPECT_EQ(s.totals().vacancies(), 11);
  ASSERT_EQ(s.kommuner_size(), 4);  // 0305, 0331, 0360, 0380; not Stockholm's 0180
  EXPECT_EQ(s.kommuner(0).kommunkod(), "0305");
  EXPECT_EQ(s.kommuner(0).kommun_name(), "Håbo");
  EXPECT_EQ(s.kommuner(0).per_mille(), 5);
  EXPECT_TRUE(s.kommuner(0).figures().assignments().suppressed());
  // Of the 9 assignments to the key's kommuner (30 ‰ in all), Håbo's 5 ‰ would be 1.5 → 2,
  // Uppsala's 20 ‰ 6; suppression hides neither, as 9 is shown.
  EXPECT_EQ(s.kommuner(0).expected_assignments().value(), 2);
  EXPECT_EQ(s.kommuner(2).kommunkod(), "0360");
  EXPECT_EQ(s.kommuner(2).per_mille(), 0);
  EXPECT_EQ(s.kommuner(2).figures().vacancies(), 4);
  const v1::KommunPlacementFigures& uppsala = s.kommuner(3);
  EXPECT_EQ(uppsala.figures().arrivals().value(), 7);
  EXPECT_EQ(uppsala.figures().assignments().value(), 6);
  EXPECT_EQ(uppsala.figures().waiting().value(), 5);
  EXPECT_EQ(uppsala.figures().vacancies(), 7);
  EXPECT_EQ(uppsala.expected_assignments().value(), 6);
  EXPECT_EQ(s.kommuner(2).expected_assignments().value(), 0);  // Tierp has no share
  ASSERT_EQ(s.by_type_size(), 4);
  EXPECT_EQ(s.by_type(0).type(), v1::UNIT_TYPE_HVB);
  EXPECT_TRUE(s.by_type(0).placements().suppressed());
}

}  // namespace
}  // namespace integration::placement

namespace integration::placement {
namespace {

TEST(BuildStatisticsTest, ExpectedAssignmentsAreSuppressedWithTheirBase) {
  RawFigures raw;
  raw.assignments = {{"0380", 3}};
  const v1::PlacementStatistics s =
      BuildStatistics("03", 2027, "k", {{"0380", 20}, {"0305", 10}}, raw);
  ASSERT_EQ(s.kommuner_size(), 2);
  EXPECT_TRUE(s.kommuner(0).expected_assignments().suppressed());
  EXPECT_TRUE(s.kommuner(1).expected_assignments().suppressed());
}

}  // namespace
}  // namespace integration::placement
