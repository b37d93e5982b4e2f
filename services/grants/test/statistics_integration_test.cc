// Integration tests of GetCallStatistics and GetGrantStatistics against a real PostgreSQL:
// exact figures in öre per call, per county and per applicant kommun (organisations under ""),
// drafts and withdrawn applications left out, reclaims raised or settled counted (waived not),
// the programme and year filters (the year of the call's opening in Europe/Stockholm), the
// empty request of the gateway's regional overview, and access.
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "grants_test_env.h"
#include "gtest/gtest.h"

namespace integration::grants::testing {
namespace {

struct Expected {
  int applications;
  int64_t requested;
  int64_t approved;
  int64_t paid;
  int64_t reclaimed;
  int approved_applications;
};

void ExpectFigures(const v1::GrantFigures& f, const Expected& e, const std::string& what) {
  EXPECT_EQ(f.applications(), e.applications) << what;
  EXPECT_EQ(f.requested().ore(), e.requested) << what;
  EXPECT_EQ(f.approved().ore(), e.approved) << what;
  EXPECT_EQ(f.paid().ore(), e.paid) << what;
  EXPECT_EQ(f.reclaimed().ore(), e.reclaimed) << what;
  EXPECT_EQ(f.approved_applications(), e.approved_applications) << what;
}

class StatisticsTest : public GrantsTest {
 protected:
  void SetUp() override {
    GrantsTest::SetUp();
    if (HasFatalFailure()) return;
    env().SeedDemoProgrammes();
    absl::TimeZone stockholm;
    ASSERT_TRUE(absl::LoadTimeZone("Europe/Stockholm", &stockholm));
    const absl::Time now = env().clock().Now();
    year_ = static_cast<int>(absl::ToCivilYear(now - absl::Hours(24), stockholm).year());

    main_ = env().SeedCall();  // kapacitet, county 03, opened yesterday
    Seed(main_, kKommunA, "", "SUBMITTED", "", 1'000'000, 0, 0);
    const int64_t a2 =
        Seed(main_, kKommunA, "", "DECIDED", "APPROVED", 2'000'000, 2'000'000, 500'000);
    const int64_t a3 =
        Seed(main_, kKommunA, "", "DECIDED", "PARTIALLY_APPROVED", 3'000'000, 1'500'000, 0);
    Seed(main_, kKommunB, "", "DECIDED", "REJECTED", 700'000, 0, 0);
    Seed(main_, kKommunB, "", "UNDER_REVIEW", "", 250'000, 0, 0);
    const int64_t o1 =
        Seed(main_, "", kOrgAssociation, "DECIDED", "APPROVED", 300'000, 300'000, 300'000);
    Seed(main_, kKommunA, "", "DRAFT", "", 999, 0, 0);         // not counted
    Seed(main_, kKommunB, "", "WITHDRAWN", "", 12'345, 0, 0);  // not counted
    Reclaim(a2, "RAISED", 100'000);
    Reclaim(a2, "WAIVED", 50'000);  // not counted
    Reclaim(a3, "SETTLED", 30'000);
    Reclaim(o1, "SETTLED", 20'000);

    // A TIA call that opened two years ago, in the same county.
    SeedCallSpec tia;
    tia.programme_id = "tia";
    tia.open_offset =
        absl::FromCivil(absl::CivilSecond(year_ - 2, 6, 1, 12, 0, 0), stockholm) - now;
    tia_ = env().SeedCall(tia);
    Seed(tia_, "", kOrgAssociation2, "DECIDED", "APPROVED", 1'000'000, 1'000'000, 0);

    // A call that opened at 00:30 on 1 January of this year in Stockholm: 23:30 UTC the day
    // before, so its UTC year is the previous one.
    SeedCallSpec new_year;
    new_year.open_offset =
        absl::FromCivil(absl::CivilSecond(year_, 1, 1, 0, 30, 0), stockholm) - now;
    new_year_ = env().SeedCall(new_year);
    Seed(new_year_, kKommunB, "", "SUBMITTED", "", 111, 0, 0);

    // Another county's call.
    SeedCallSpec other;
    other.lanskod = kOtherLan;
    other_ = env().SeedCall(other);
    Seed(other_, kOtherLanKommun, "", "SUBMITTED", "", 5'000'000, 0, 0);
  }

  int64_t Seed(int64_t call, const std::string& kommun, const std::string& orgnr,
               const std::string& state, const std::string& outcome, int64_t requested,
               int64_t approved, int64_t paid) {
    SeedApplicationSpec spec;
    spec.call_id = call;
    spec.kommunkod = kommun;
    spec.orgnr = orgnr;
    if (!orgnr.empty()) spec.applicant_type = "APPLICANT_TYPE_NON_PROFIT_ASSOCIATION";
    spec.state = state;
    spec.requested_ore = requested;
    spec.decision_outcome = outcome;
    spec.approved_ore = approved;
    spec.paid_ore = paid;
    return env().SeedApplication(spec);
  }
  void Reclaim(int64_t app, const std::string& state, int64_t amount) {
    env().Query(
        absl::StrCat("INSERT INTO reclaims (application_id, reason, amount_ore, state) "
                     "VALUES (",
                     app, ", 'UNUSED_FUNDS', ", amount, ", '", state, "')"));
  }

  int year_ = 0;
  int64_t main_ = 0;
  int64_t tia_ = 0;
  int64_t new_year_ = 0;
  int64_t other_ = 0;
};

TEST_F(StatisticsTest, CallFiguresAreExact) {
  v1::GetCallStatisticsRequest req;
  req.set_name(absl::StrCat("calls/", main_));
  v1::GrantStatistics stats;
  ::grpc::Status st = env().Call(&Stub::GetCallStatistics, env().OfficerToken(), req, &stats);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(stats.scope(), absl::StrCat("calls/", main_));
  EXPECT_TRUE(stats.has_compute_time());
  ExpectFigures(stats.totals(), {6, 7'250'000, 3'800'000, 800'000, 150'000, 3}, "totals");
  ASSERT_EQ(stats.kommuner_size(), 3);
  EXPECT_EQ(stats.kommuner(0).kommunkod(), "");
  EXPECT_EQ(stats.kommuner(0).kommun_name(), "");
  ExpectFigures(stats.kommuner(0).figures(), {1, 300'000, 300'000, 300'000, 20'000, 1},
                "organisations");
  EXPECT_EQ(stats.kommuner(1).kommunkod(), kKommunA);
  EXPECT_EQ(stats.kommuner(1).kommun_name(), "Uppsala");
  ExpectFigures(stats.kommuner(1).figures(), {3, 6'000'000, 3'500'000, 500'000, 130'000, 2},
                "Uppsala");
  EXPECT_EQ(stats.kommuner(2).kommunkod(), kKommunB);
  EXPECT_EQ(stats.kommuner(2).kommun_name(), "Enköping");
  ExpectFigures(stats.kommuner(2).figures(), {2, 950'000, 0, 0, 0, 0}, "Enköping");
}

TEST_F(StatisticsTest, CountyFiguresWithTheEmptyRequestOfTheOverview) {
  v1::GrantStatistics stats;
  ::grpc::Status st = env().Call(&Stub::GetGrantStatistics, env().OfficerToken(),
                                 v1::GetGrantStatisticsRequest(), &stats);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(stats.scope(), "lan/03");
  ExpectFigures(stats.totals(), {8, 8'250'111, 4'800'000, 800'000, 150'000, 4}, "county");
  ASSERT_EQ(stats.kommuner_size(), 3);
  ExpectFigures(stats.kommuner(0).figures(), {2, 1'300'000, 1'300'000, 300'000, 20'000, 2},
                "organisations");
  ExpectFigures(stats.kommuner(2).figures(), {3, 950'111, 0, 0, 0, 0}, "Enköping");

  // The other county sees only its own.
  st = env().Call(&Stub::GetGrantStatistics, env().OfficerToken("o", kOtherLan),
                  v1::GetGrantStatisticsRequest(), &stats);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(stats.scope(), "lan/01");
  ExpectFigures(stats.totals(), {1, 5'000'000, 0, 0, 0, 0}, "other county");
  ASSERT_EQ(stats.kommuner_size(), 1);
  EXPECT_EQ(stats.kommuner(0).kommun_name(), "Stockholm");

  // A county without calls: zeros, no kommuner.
  st = env().Call(&Stub::GetGrantStatistics, env().OfficerToken("o", "05"),
                  v1::GetGrantStatisticsRequest(), &stats);
  ASSERT_TRUE(st.ok()) << Describe(st);
  ExpectFigures(stats.totals(), {0, 0, 0, 0, 0, 0}, "empty county");
  EXPECT_EQ(stats.kommuner_size(), 0);
}

TEST_F(StatisticsTest, ProgrammeAndStockholmYearFilters) {
  v1::GetGrantStatisticsRequest req;
  req.set_programme("programmes/tia");
  v1::GrantStatistics stats;
  ASSERT_TRUE(env().Call(&Stub::GetGrantStatistics, env().OfficerToken(), req, &stats).ok());
  ExpectFigures(stats.totals(), {1, 1'000'000, 1'000'000, 0, 0, 1}, "tia");

  req.set_programme("programmes/kapacitet");
  req.set_year(year_);
  ASSERT_TRUE(env().Call(&Stub::GetGrantStatistics, env().OfficerToken(), req, &stats).ok());
  ExpectFigures(stats.totals(), {7, 7'250'111, 3'800'000, 800'000, 150'000, 3}, "this year");

  // The new-year call opened in the previous year by UTC, but not in Stockholm.
  req.set_year(year_ - 1);
  ASSERT_TRUE(env().Call(&Stub::GetGrantStatistics, env().OfficerToken(), req, &stats).ok());
  ExpectFigures(stats.totals(), {0, 0, 0, 0, 0, 0}, "last year");

  req.clear_programme();
  req.set_year(year_ - 2);
  ASSERT_TRUE(env().Call(&Stub::GetGrantStatistics, env().OfficerToken(), req, &stats).ok());
  ExpectFigures(stats.totals(), {1, 1'000'000, 1'000'000, 0, 0, 1}, "two years ago");

  req.set_programme("programmes/okand");
  ::grpc::Status st = env().Call(&Stub::GetGrantStatistics, env().OfficerToken(), req, &stats);
  EXPECT_EQ(ReasonOf(st), "PROGRAMME_NOT_FOUND");
  req.set_programme("tia");
  req.set_year(12);
  st = env().Call(&Stub::GetGrantStatistics, env().OfficerToken(), req, &stats);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolationFieldsOf(st), (std::vector<std::string>{"programme", "year"}));
}

TEST_F(StatisticsTest, Access) {
  v1::GetCallStatisticsRequest req;
  req.set_name(absl::StrCat("calls/", main_));
  v1::GrantStatistics stats;
  ::grpc::Status st =
      env().Call(&Stub::GetCallStatistics, env().OfficerToken("o", kOtherLan), req, &stats);
  EXPECT_EQ(ReasonOf(st), "LAN_MISMATCH");
  st = env().Call(&Stub::GetCallStatistics, env().KommunToken(), req, &stats);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  st = env().Call(&Stub::GetGrantStatistics, env().AdminToken(), v1::GetGrantStatisticsRequest(),
                  &stats);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  st = env().Call(&Stub::GetGrantStatistics, env().Token("county_officer", "no-lan"),
                  v1::GetGrantStatisticsRequest(), &stats);
  EXPECT_EQ(ReasonOf(st), "LAN_CLAIM_MISSING");
  req.set_name("calls/9999");
  st = env().Call(&Stub::GetCallStatistics, env().OfficerToken(), req, &stats);
  EXPECT_EQ(ReasonOf(st), "CALL_NOT_FOUND");
}

}  // namespace
}  // namespace integration::grants::testing
