// GetPlacementStatistics through the real server and PostgreSQL: a county officer's figures of
// its own county, small counts suppressed, nothing about other counties.
#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "placement_test_env.h"

namespace integration::placement::testing {
namespace {

class StatisticsTest : public PlacementTest {};

TEST_F(StatisticsTest, FiguresOfTheOfficersCountyWithSmallCountsSuppressed) {
  env().SeedKey(2027, {{"0380", 20}, {"0305", 5}, {"0360", 5}});
  // Six children in a row go 0380, 0380, 0305, 0380, 0360, 0380.
  for (int i = 0; i < 6; ++i) env().Report(PlacementTestEnv::Arrival(absl::StrCat("61-00000", i)));
  const v1::Unit unit = env().SeedUnit("0380", PlacementTestEnv::Hvb(4));
  v1::GetPlacementStatisticsRequest req;
  req.set_year(2027);
  v1::PlacementStatistics stats;
  ::grpc::Status st = env().Call(&Stub::GetPlacementStatistics, env().OfficerToken(), req, &stats);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(stats.lanskod(), "03");
  EXPECT_EQ(stats.allocation_key(), "counties/03/allocationKeys/2027");
  EXPECT_EQ(stats.totals().arrivals().value(), 6);
  EXPECT_EQ(stats.totals().assignments().value(), 6);
  EXPECT_EQ(stats.totals().waiting().value(), 6);
  EXPECT_EQ(stats.totals().places(), 4);
  ASSERT_EQ(stats.kommuner_size(), 3);
  EXPECT_EQ(stats.kommuner(0).kommunkod(), "0305");
  EXPECT_TRUE(stats.kommuner(0).figures().assignments().suppressed());
  EXPECT_EQ(stats.kommuner(2).kommunkod(), "0380");
  EXPECT_TRUE(stats.kommuner(2).figures().assignments().suppressed());  // 4 of them
  EXPECT_EQ(stats.kommuner(2).figures().arrivals().value(), 6);         // all arrived in Uppsala
  EXPECT_EQ(stats.kommuner(2).figures().vacancies(), 4);
  EXPECT_GT(stats.compute_time().seconds(), 0);

  // The empty request of the regional overview: the current year (no key, no arrivals then
  // unless the clock is in 2027).
  v1::GetPlacementStatisticsRequest empty;
  ASSERT_TRUE(env().Call(&Stub::GetPlacementStatistics, env().OfficerToken(), empty, &stats).ok());
  EXPECT_EQ(stats.year(),
            static_cast<int>(absl::ToCivilDay(env().clock().Now(), absl::UTCTimeZone()).year()));
  // Another county sees its own, empty figures.
  ASSERT_TRUE(
      env().Call(&Stub::GetPlacementStatistics, env().OfficerToken("01"), req, &stats).ok());
  EXPECT_EQ(stats.lanskod(), "01");
  EXPECT_EQ(stats.kommuner_size(), 0);
  EXPECT_TRUE(stats.totals().arrivals().suppressed());
  EXPECT_EQ(
      ReasonOf(env().Call(&Stub::GetPlacementStatistics, env().KommunToken("0380"), req, &stats)),
      "ROLE_NOT_ALLOWED");
  EXPECT_EQ(ReasonOf(env().Call(&Stub::GetPlacementStatistics, env().Token("county_officer", "x"),
                                req, &stats)),
            "LAN_CLAIM_MISSING");
}

}  // namespace
}  // namespace integration::placement::testing
