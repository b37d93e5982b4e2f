// Arrival reports: what is accepted and refused, the county that handles the child, ages,
// and the names and calendar days the service exchanges.
#include "rules/arrival_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "integration/status/status.h"
#include "integration/dates/day.h"
#include "integration/se/personnummer.h"
#include "rules/names.h"
#include "violations.h"

namespace integration::placement {
namespace {

using ::testing::UnorderedElementsAre;

using testing::Violations;

const absl::CivilDay kToday(2027, 3, 10);

v1::Arrival Good() {
  v1::Arrival a;
  a.set_dossier_number("12-345678");
  *a.mutable_birth_date() = dates::DateOf(absl::CivilDay(2011, 5, 4));
  a.set_sex(v1::SEX_MALE);
  a.add_languages("prs");
  a.add_languages("fa");
  a.set_sibling_group("SG-2027-17");
  a.set_arrival_kommunkod("0180");
  *a.mutable_arrival_date() = dates::DateOf(absl::CivilDay(2027, 3, 9));
  return a;
}

TEST(CheckArrivalTest, AcceptsAReportAndTheArrivalKommunsCountyHandlesIt) {
  absl::StatusOr<CheckedArrival> c = CheckArrival(Good(), kToday, "arrival");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->dossier_number, "12-345678");
  EXPECT_EQ(c->lanskod, "01");
  EXPECT_EQ(c->arrival_date, absl::CivilDay(2027, 3, 9));
}

TEST(CheckArrivalTest, NormalisesTheDossierNumberAndDropsACardSerial) {
  v1::Arrival a = Good();
  a.set_dossier_number("12345678/2");
  absl::StatusOr<CheckedArrival> c = CheckArrival(a, kToday, "arrival");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->dossier_number, "12-345678");
  EXPECT_EQ(c->arrival.dossier_number(), "12-345678");
}

TEST(CheckArrivalTest, AStrongLinkMovesTheChildToTheLinksCounty) {
  v1::Arrival a = Good();
  a.set_strong_link_kommunkod("0380");
  EXPECT_EQ(CheckArrival(a, kToday, "arrival")->lanskod, "03");
}

TEST(CheckArrivalTest, RejectsEveryBadFieldAtOnce) {
  v1::Arrival a;
  a.set_dossier_number("1234-5678");
  a.set_assessed_age(18);
  a.add_languages("Arabic");
  a.add_languages("ar");
  a.add_languages("ar");
  a.set_needs(std::string(kMaxNeedsBytes + 1, 'x'));
  a.set_sibling_group("group one");
  a.set_strong_link_kommunkod("0399");
  a.set_arrival_kommunkod("abcd");
  *a.mutable_arrival_date() = dates::DateOf(absl::CivilDay(2027, 3, 11));
  absl::StatusOr<CheckedArrival> c = CheckArrival(a, kToday, "arrival");
  ASSERT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status::GetErrorInfo(c.status())->reason(), kReasonArrivalInvalid);
  EXPECT_THAT(Violations(c.status()),
              UnorderedElementsAre("arrival.dossier_number", "arrival.assessed_age", "arrival.sex",
                                   "arrival.languages[0]", "arrival.languages[2]", "arrival.needs",
                                   "arrival.sibling_group", "arrival.strong_link_kommunkod",
                                   "arrival.arrival_kommunkod", "arrival.arrival_date"));
}

TEST(CheckArrivalTest, AChildMustBeUnder18OnArrivalAndBornBeforeIt) {
  v1::Arrival a = Good();
  *a.mutable_birth_date() = dates::DateOf(absl::CivilDay(2009, 3, 9));  // 18 that day
  EXPECT_THAT(Violations(CheckArrival(a, kToday, "arrival").status()),
              UnorderedElementsAre("arrival.birth_date"));
  *a.mutable_birth_date() = dates::DateOf(absl::CivilDay(2009, 3, 10));  // 17, a day short of 18
  EXPECT_TRUE(CheckArrival(a, kToday, "arrival").ok());
  *a.mutable_birth_date() = dates::DateOf(absl::CivilDay(2027, 3, 10));
  EXPECT_THAT(Violations(CheckArrival(a, kToday, "arrival").status()),
              UnorderedElementsAre("arrival.birth_date"));
  a.clear_birth_date();
  EXPECT_THAT(Violations(CheckArrival(a, kToday, "arrival").status()),
              UnorderedElementsAre("arrival.birth_date"));
}

TEST(ChildAgeOnTest, FromTheBirthDateOrTheAssessedAgeOnArrival) {
  v1::Arrival a = Good();
  EXPECT_EQ(ChildAgeOn(a, absl::CivilDay(2027, 5, 3)), 15);
  EXPECT_EQ(ChildAgeOn(a, absl::CivilDay(2027, 5, 4)), 16);
  a.set_assessed_age(16);
  EXPECT_EQ(ChildAgeOn(a, absl::CivilDay(2028, 3, 8)), 16);
  EXPECT_EQ(ChildAgeOn(a, absl::CivilDay(2028, 3, 9)), 17);
}

TEST(DaysTest, RealDaysOnlyAndTheirText) {
  dates::type::Date d;
  d.set_year(2027);
  d.set_month(2);
  d.set_day(29);
  EXPECT_FALSE(dates::DayOf(d).has_value());
  EXPECT_EQ(dates::DayText(absl::CivilDay(2027, 1, 1)), "2027-01-01");
  EXPECT_EQ(dates::ParseDayText("2028-02-29"), absl::CivilDay(2028, 2, 29));
  EXPECT_FALSE(dates::ParseDayText("2027-02-29").has_value());
  EXPECT_FALSE(dates::ParseDayText("2027-1-01").has_value());
  EXPECT_EQ(se::AgeOn(absl::CivilDay(2008, 2, 29), absl::CivilDay(2026, 2, 28)), 17);
  EXPECT_EQ(se::AgeOn(absl::CivilDay(2008, 2, 29), absl::CivilDay(2026, 3, 1)), 18);
}

TEST(NamesTest, PrintAndParse) {
  EXPECT_EQ(AllocationKeyName("03", 2027), "counties/03/allocationKeys/2027");
  absl::StatusOr<AllocationKeyId> key =
      ParseAllocationKeyName("counties/03/allocationKeys/2027", "name");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->lanskod, "03");
  EXPECT_EQ(key->year, 2027);
  EXPECT_EQ(*ParseCountyName("counties/25", "parent"), "25");
  EXPECT_EQ(*ParseChildName(ChildName(42), "name"), 42);
  for (const char* bad : {"counties/03/allocationKeys/27", "counties/99/allocationKeys/2027",
                          "counties//allocationKeys/2027", "keys/03/allocationKeys/2027"}) {
    EXPECT_EQ(ParseAllocationKeyName(bad, "name").status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  for (const char* bad : {"children/0", "children/-1", "children/007", "children/1/x", "kids/1"}) {
    EXPECT_FALSE(ParseChildName(bad, "name").ok()) << bad;
  }
  EXPECT_FALSE(ParseCountyName("counties/3", "parent").ok());
  absl::StatusOr<TransferId> transfer = ParseTransferName(TransferName("03", 2027, 5), "name");
  ASSERT_TRUE(transfer.ok()) << transfer.status();
  EXPECT_EQ(transfer->key.lanskod, "03");
  EXPECT_EQ(transfer->key.year, 2027);
  EXPECT_EQ(transfer->transfer_id, 5);
  EXPECT_FALSE(ParseTransferName("counties/03/allocationKeys/2027/transfer/5", "name").ok());
  absl::StatusOr<UnitId> unit = ParseUnitName(UnitName("0380", 7), "name");
  ASSERT_TRUE(unit.ok()) << unit.status();
  EXPECT_EQ(unit->kommunkod, "0380");
  EXPECT_EQ(unit->unit_id, 7);
  EXPECT_FALSE(ParseUnitName("kommuner/9999/units/7", "name").ok());
  absl::StatusOr<PlacementId> placement = ParsePlacementName(PlacementName(3, 4), "name");
  ASSERT_TRUE(placement.ok()) << placement.status();
  EXPECT_EQ(placement->child_id, 3);
  EXPECT_EQ(placement->placement_id, 4);
}

}  // namespace
}  // namespace integration::placement
