// Names, dates, periods and money of the grants service.
#include "rules/values_rules.h"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "integration/status/status.h"

namespace integration::grants {
namespace {

type::Date D(int y, int m, int d) {
  type::Date date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

type::DatePeriod P(type::Date start, type::Date end) {
  type::DatePeriod p;
  *p.mutable_start_date() = start;
  *p.mutable_end_date() = end;
  return p;
}

TEST(NamesTest, BuildAndParseRoundTrip) {
  EXPECT_EQ(CallName(7), "calls/7");
  EXPECT_EQ(ApplicationName(7, 42), "calls/7/applications/42");
  EXPECT_EQ(ChildName(7, 42, "reports", 3), "calls/7/applications/42/reports/3");
  EXPECT_EQ(ProgrammeName("tia"), "programmes/tia");

  absl::StatusOr<ApplicationKey> app = ParseApplicationName("calls/7/applications/42", "name");
  ASSERT_TRUE(app.ok()) << app.status();
  EXPECT_EQ(app->call_id, 7);
  EXPECT_EQ(app->application_id, 42);
  absl::StatusOr<ChildKey> child =
      ParseChildName("calls/7/applications/42/reports/3", "reports", "name");
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ(child->id, 3);
  EXPECT_EQ(*ParseCallName("calls/9", "name"), 9);
  EXPECT_EQ(*ParseCallParent("calls/-", "parent"), 0);
  EXPECT_EQ(*ParseProgrammeName("programmes/kapacitet", "programme"), "kapacitet");
}

TEST(NamesTest, MalformedNamesNameTheFieldAndThePattern) {
  for (const char* bad : {"", "calls", "calls/", "calls/0", "calls/-1", "calls/007", "calls/x",
                          "calls/1/", "call/1", "calls/1/applications",
                          "calls/99999999999999999999"}) {
    absl::StatusOr<int64_t> id = ParseCallName(bad, "call.name");
    ASSERT_FALSE(id.ok()) << bad;
    EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
    std::optional<google::rpc::BadRequest> br = status::GetBadRequest(id.status());
    ASSERT_TRUE(br.has_value());
    EXPECT_EQ(br->field_violations(0).field(), "call.name");
    EXPECT_EQ(status::GetErrorInfo(id.status())->reason(), kReasonNameInvalid);
  }
  EXPECT_FALSE(ParseApplicationName("calls/1/reviews/2", "name").ok());
  EXPECT_FALSE(ParseChildName("calls/1/applications/2/reclaims/3", "reports", "name").ok());
  EXPECT_FALSE(ParseProgrammeName("programmes/A", "programme").ok());
  EXPECT_FALSE(ParseProgrammeName("programmes/x", "programme").ok());  // 2-40 characters
  EXPECT_FALSE(ParseCallParent("calls/-/x", "parent").ok());
}

TEST(NamesTest, EveryResourceBelowAnApplicationRoundTrips) {
  for (std::string collection : {"reviews", "amendments", "reports", "reclaims", "disbursements"}) {
    SCOPED_TRACE(collection);
    const std::string name = ChildName(3, 14, collection, 15);
    EXPECT_EQ(name, absl::StrCat("calls/3/applications/14/", collection, "/15"));
    absl::StatusOr<ChildKey> key = ParseChildName(name, collection, "name");
    ASSERT_TRUE(key.ok()) << key.status();
    EXPECT_EQ(key->call_id, 3);
    EXPECT_EQ(key->application_id, 14);
    EXPECT_EQ(key->id, 15);
    const std::string singular = collection.substr(0, collection.size() - 1);
    EXPECT_EQ(ChildPattern(collection).pattern(),
              absl::StrCat("calls/{call}/applications/{application}/", collection, "/{", singular,
                           "}"));
    const std::string zero = absl::StrCat("calls/3/applications/14/", collection, "/0");
    EXPECT_FALSE(ParseChildName(zero, collection, "name").ok());
  }
}

TEST(NamesTest, EveryCallParentNamesBothForms) {
  absl::StatusOr<int64_t> bad = ParseCallParent("calls/x", "parent");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(status::GetErrorInfo(bad.status())->reason(), kReasonNameInvalid);
  std::optional<google::rpc::BadRequest> br = status::GetBadRequest(bad.status());
  ASSERT_TRUE(br.has_value());
  EXPECT_EQ(br->field_violations(0).field(), "parent");
  EXPECT_NE(br->field_violations(0).description().find("calls/{call} or calls/-"),
            std::string::npos);
  EXPECT_EQ(*ParseCallParent("calls/12", "parent"), 12);
}

TEST(DatesTest, RealDatesOnly) {
  EXPECT_TRUE(IsValidDate(D(2028, 2, 29)));
  EXPECT_FALSE(IsValidDate(D(2027, 2, 29)));
  EXPECT_FALSE(IsValidDate(D(2027, 4, 31)));
  EXPECT_FALSE(IsValidDate(D(2027, 13, 1)));
  EXPECT_FALSE(IsValidDate(D(0, 1, 1)));
  EXPECT_EQ(DateText(D(2027, 3, 5)), "2027-03-05");
  std::optional<type::Date> parsed = ParseDateText("2027-03-05");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->day(), 5);
  EXPECT_FALSE(ParseDateText("2027-02-30").has_value());
  EXPECT_FALSE(ParseDateText("27-02-03").has_value());
}

TEST(DatesTest, CheckPeriodNamesEachBadDate) {
  status::FieldErrors errors;
  EXPECT_TRUE(CheckPeriod(P(D(2027, 1, 1), D(2027, 12, 31)), "project_period", errors));
  EXPECT_TRUE(errors.empty());

  status::FieldErrors reversed;
  EXPECT_FALSE(CheckPeriod(P(D(2027, 6, 1), D(2027, 5, 31)), "project_period", reversed));
  std::optional<google::rpc::BadRequest> br =
      status::GetBadRequest(reversed.ToStatus("PERIOD_INVALID"));
  ASSERT_TRUE(br.has_value());
  EXPECT_EQ(br->field_violations(0).field(), "project_period.end_date");

  status::FieldErrors missing;
  EXPECT_FALSE(CheckPeriod(type::DatePeriod(), "amendment.project_period", missing));
  br = status::GetBadRequest(missing.ToStatus());
  ASSERT_EQ(br->field_violations_size(), 2);
  EXPECT_EQ(br->field_violations(0).field(), "amendment.project_period.start_date");
  EXPECT_EQ(br->field_violations(1).field(), "amendment.project_period.end_date");
}

TEST(DatesTest, PeriodRelations) {
  const Period funding{absl::CivilDay(2027, 1, 1), absl::CivilDay(2027, 12, 31)};
  EXPECT_TRUE(PeriodInside({absl::CivilDay(2027, 1, 1), absl::CivilDay(2027, 12, 31)}, funding));
  EXPECT_FALSE(PeriodInside({absl::CivilDay(2026, 12, 31), absl::CivilDay(2027, 6, 1)}, funding));
  EXPECT_FALSE(PeriodInside({absl::CivilDay(2027, 6, 1), absl::CivilDay(2028, 1, 1)}, funding));
  EXPECT_TRUE(PeriodsOverlap(funding, {absl::CivilDay(2027, 12, 31), absl::CivilDay(2028, 1, 5)}));
  EXPECT_FALSE(PeriodsOverlap(funding, {absl::CivilDay(2028, 1, 1), absl::CivilDay(2028, 1, 5)}));
}

TEST(DatesTest, AddMonthsClampsToTheMonthsLastDay) {
  EXPECT_EQ(AddMonths(absl::CivilDay(2027, 8, 31), 1), absl::CivilDay(2027, 9, 30));
  EXPECT_EQ(AddMonths(absl::CivilDay(2027, 12, 31), 2), absl::CivilDay(2028, 2, 29));
  EXPECT_EQ(AddMonths(absl::CivilDay(2027, 11, 15), 2), absl::CivilDay(2028, 1, 15));
  EXPECT_EQ(AddMonths(absl::CivilDay(2027, 5, 10), 0), absl::CivilDay(2027, 5, 10));
}

TEST(DatesTest, StockholmDayFollowsSwedishTime) {
  // 2027-06-30 22:30 UTC is already 1 July in Stockholm (UTC+2 in summer).
  const absl::Time t = absl::FromCivil(absl::CivilSecond(2027, 6, 30, 22, 30, 0), absl::UTCTimeZone());
  EXPECT_EQ(StockholmDay(t), absl::CivilDay(2027, 7, 1));
}

TEST(MoneyTest, CheckedAddRefusesOverflow) {
  EXPECT_EQ(CheckedAdd(100, 250), 350);
  EXPECT_FALSE(CheckedAdd(std::numeric_limits<int64_t>::max(), 1).has_value());
  EXPECT_FALSE(CheckedAdd(std::numeric_limits<int64_t>::min(), -1).has_value());
}

TEST(MoneyTest, FormatsKronorWithOre) {
  EXPECT_EQ(FormatKronor(0), "0,00 kr");
  EXPECT_EQ(FormatKronor(5), "0,05 kr");
  EXPECT_EQ(FormatKronor(123456789), "1 234 567,89 kr");
  EXPECT_EQ(FormatKronor(-150), "-1,50 kr");
  EXPECT_EQ(FormatKronor(std::numeric_limits<int64_t>::min()), "-92 233 720 368 547 758,08 kr");
}

}  // namespace
}  // namespace integration::grants
