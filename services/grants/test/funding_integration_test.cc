// Integration tests of CheckFunding against a real PostgreSQL: which approved decisions fund
// an applicant in a programme during a period (overlap, earliest first, whole-period and
// union coverage with adjacent periods and gaps), who may ask about whom, and validation.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grants_test_env.h"
#include "gtest/gtest.h"

namespace integration::grants::testing {
namespace {

void SetDate(const std::string& text, ::lansstyrelsen::integration::type::v1::Date* out) {
  out->set_year(std::stoi(text.substr(0, 4)));
  out->set_month(std::stoi(text.substr(5, 2)));
  out->set_day(std::stoi(text.substr(8, 2)));
}

v1::CheckFundingRequest Request(const std::string& programme, const std::string& start,
                                const std::string& end) {
  v1::CheckFundingRequest req;
  req.set_programme(programme);
  SetDate(start, req.mutable_period()->mutable_start_date());
  SetDate(end, req.mutable_period()->mutable_end_date());
  return req;
}

v1::CheckFundingRequest ForKommun(const std::string& kommunkod, const std::string& programme,
                                  const std::string& start, const std::string& end) {
  v1::CheckFundingRequest req = Request(programme, start, end);
  req.set_kommunkod(kommunkod);
  return req;
}

v1::CheckFundingRequest ForOrg(const std::string& orgnr, const std::string& programme,
                               const std::string& start, const std::string& end) {
  v1::CheckFundingRequest req = Request(programme, start, end);
  req.set_organisationsnummer(orgnr);
  return req;
}

class FundingTest : public GrantsTest {
 protected:
  void SetUp() override {
    GrantsTest::SetUp();
    if (HasFatalFailure()) return;
    env().SeedDemoProgrammes();
    SeedCallSpec kapacitet;
    kapacitet.funding_start = "2026-01-01";
    kapacitet.funding_end = "2028-12-31";
    kapacitet_ = env().SeedCall(kapacitet);
    SeedCallSpec tia = kapacitet;
    tia.programme_id = "tia";
    tia_ = env().SeedCall(tia);
    SeedCallSpec other_lan = kapacitet;
    other_lan.lanskod = kOtherLan;
    other_lan_ = env().SeedCall(other_lan);
  }

  int64_t Seed(int64_t call, const std::string& kommun, const std::string& orgnr,
               const std::string& state, const std::string& outcome, const std::string& start,
               const std::string& end, int64_t approved = 0) {
    SeedApplicationSpec spec;
    spec.call_id = call;
    spec.kommunkod = kommun;
    spec.orgnr = orgnr;
    if (!orgnr.empty()) {
      spec.applicant_type = "APPLICANT_TYPE_NON_PROFIT_ASSOCIATION";
      spec.applicant_name = "Föreningen";
    }
    spec.state = state;
    spec.requested_ore = 1'000'000;
    spec.period_start = start;
    spec.period_end = end;
    spec.decision_outcome = outcome;
    spec.approved_ore = approved;
    return env().SeedApplication(spec);
  }
  int64_t Approved(int64_t call, const std::string& kommun, const std::string& start,
                   const std::string& end, int64_t approved = 1'000'000) {
    return Seed(call, kommun, "", "DECIDED",
                approved == 1'000'000 ? "APPROVED" : "PARTIALLY_APPROVED", start, end, approved);
  }

  ::grpc::Status Check(const std::string& token, const v1::CheckFundingRequest& req,
                       v1::CheckFundingResponse* out) {
    return env().Call(&Stub::CheckFunding, token, req, out);
  }
  std::string App(int64_t call, int64_t app) {
    return absl::StrCat("calls/", call, "/applications/", app);
  }

  int64_t kapacitet_ = 0;
  int64_t tia_ = 0;
  int64_t other_lan_ = 0;
};

TEST_F(FundingTest, AdjacentApprovalsCoverThePeriod) {
  const int64_t second = Approved(kapacitet_, kKommunA, "2027-07-01", "2027-12-31", 400'000);
  const int64_t first = Approved(kapacitet_, kKommunA, "2027-01-01", "2027-06-30");
  // Not funding: rejected, undecided, another kommun, another programme, outside the period.
  Seed(kapacitet_, kKommunA, "", "DECIDED", "REJECTED", "2027-01-01", "2027-12-31");
  Seed(kapacitet_, kKommunA, "", "UNDER_REVIEW", "", "2027-01-01", "2027-12-31");
  Approved(kapacitet_, kKommunB, "2027-01-01", "2027-12-31");
  Approved(tia_, kKommunA, "2027-01-01", "2027-12-31");
  Approved(kapacitet_, kKommunA, "2026-01-01", "2026-12-31");
  env().Query(
      absl::StrCat("UPDATE applications SET paid_ore = 250000 WHERE application_id = ", first));

  v1::CheckFundingResponse resp;
  ::grpc::Status st =
      Check(env().AgencyToken(),
            ForKommun(kKommunA, "programmes/kapacitet", "2027-03-01", "2027-09-30"), &resp);
  ASSERT_TRUE(st.ok()) << Describe(st);
  ASSERT_EQ(resp.decisions_size(), 2);
  EXPECT_EQ(resp.decisions(0).application(), App(kapacitet_, first));
  EXPECT_EQ(resp.decisions(0).programme(), "programmes/kapacitet");
  EXPECT_FALSE(resp.decisions(0).diarienummer().empty());
  EXPECT_EQ(resp.decisions(0).approved_amount().ore(), 1'000'000);
  EXPECT_EQ(resp.decisions(0).paid_amount().ore(), 250'000);
  EXPECT_EQ(resp.decisions(0).project_period().end_date().month(), 6);
  EXPECT_FALSE(resp.decisions(0).covers_whole_period());
  EXPECT_EQ(resp.decisions(1).application(), App(kapacitet_, second));
  EXPECT_EQ(resp.decisions(1).approved_amount().ore(), 400'000);
  EXPECT_FALSE(resp.decisions(1).covers_whole_period());
  EXPECT_TRUE(resp.period_covered());

  // Inside one decision's period.
  st = Check(env().AgencyToken(),
             ForKommun(kKommunA, "programmes/kapacitet", "2027-02-01", "2027-05-31"), &resp);
  ASSERT_TRUE(st.ok());
  ASSERT_EQ(resp.decisions_size(), 1);
  EXPECT_TRUE(resp.decisions(0).covers_whole_period());
  EXPECT_TRUE(resp.period_covered());

  // Beyond the funded days: overlapping, not covered.
  st = Check(env().AgencyToken(),
             ForKommun(kKommunA, "programmes/kapacitet", "2027-12-01", "2028-01-31"), &resp);
  ASSERT_TRUE(st.ok());
  ASSERT_EQ(resp.decisions_size(), 1);
  EXPECT_FALSE(resp.period_covered());

  // Nothing at all.
  st = Check(env().AgencyToken(),
             ForKommun(kKommunA, "programmes/kapacitet", "2028-02-01", "2028-02-29"), &resp);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(resp.decisions_size(), 0);
  EXPECT_FALSE(resp.period_covered());
}

TEST_F(FundingTest, AOneDayGapIsNotCovered) {
  Approved(kapacitet_, kKommunB, "2027-01-01", "2027-03-31");
  Approved(kapacitet_, kKommunB, "2027-04-02", "2027-12-31");
  v1::CheckFundingResponse resp;
  ::grpc::Status st =
      Check(env().AgencyToken(),
            ForKommun(kKommunB, "programmes/kapacitet", "2027-01-01", "2027-12-31"), &resp);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(resp.decisions_size(), 2);
  EXPECT_FALSE(resp.period_covered());
  // Around the gap each side is covered.
  st = Check(env().AgencyToken(),
             ForKommun(kKommunB, "programmes/kapacitet", "2027-04-02", "2027-04-30"), &resp);
  EXPECT_TRUE(resp.period_covered());
}

TEST_F(FundingTest, OrganisationsAskAboutThemselves) {
  const int64_t app =
      Seed(tia_, "", kOrgAssociation, "DECIDED", "APPROVED", "2027-02-01", "2027-11-30", 1'000'000);
  // The organisationsnummer without its dash is the same organisation.
  v1::CheckFundingRequest req = ForOrg("8024001235", "programmes/tia", "2027-03-01", "2027-03-31");
  v1::CheckFundingResponse resp;
  ::grpc::Status st = Check(env().OrgToken(kOrgAssociation), req, &resp);
  ASSERT_TRUE(st.ok()) << Describe(st);
  ASSERT_EQ(resp.decisions_size(), 1);
  EXPECT_EQ(resp.decisions(0).application(), App(tia_, app));
  EXPECT_TRUE(resp.period_covered());
  ASSERT_TRUE(Check(env().AgencyToken(), req, &resp).ok());
  EXPECT_EQ(resp.decisions_size(), 1);

  st = Check(env().OrgToken(kOrgAssociation2), req, &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(st), "TENANT_MISMATCH");
  st = Check(env().KommunToken(kKommunA), req, &resp);
  EXPECT_EQ(ReasonOf(st), "TENANT_MISMATCH");
  // Another organisation has nothing.
  st = Check(env().OrgToken(kOrgAssociation2),
             ForOrg(kOrgAssociation2, "programmes/tia", "2027-03-01", "2027-03-31"), &resp);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(resp.decisions_size(), 0);
}

TEST_F(FundingTest, KommunerAndCountyOfficers) {
  Approved(kapacitet_, kKommunA, "2027-01-01", "2027-12-31");
  // A decision of another county's call for the same kommun.
  Approved(other_lan_, kKommunA, "2027-01-01", "2027-12-31");
  const v1::CheckFundingRequest req =
      ForKommun(kKommunA, "programmes/kapacitet", "2027-05-01", "2027-05-31");
  v1::CheckFundingResponse resp;
  ASSERT_TRUE(Check(env().KommunToken(kKommunA), req, &resp).ok());
  EXPECT_EQ(resp.decisions_size(), 2);
  ::grpc::Status st = Check(env().KommunToken(kKommunB), req, &resp);
  EXPECT_EQ(ReasonOf(st), "TENANT_MISMATCH");
  // Officers see their county's decisions only.
  ASSERT_TRUE(Check(env().OfficerToken(), req, &resp).ok());
  ASSERT_EQ(resp.decisions_size(), 1);
  EXPECT_TRUE(
      absl::StartsWith(resp.decisions(0).application(), absl::StrCat("calls/", kapacitet_, "/")));
  ASSERT_TRUE(Check(env().OfficerToken("o", kOtherLan), req, &resp).ok());
  ASSERT_EQ(resp.decisions_size(), 1);
  EXPECT_TRUE(
      absl::StartsWith(resp.decisions(0).application(), absl::StrCat("calls/", other_lan_, "/")));
  st = Check(env().Token("county_officer", "no-lan"), req, &resp);
  EXPECT_EQ(ReasonOf(st), "LAN_CLAIM_MISSING");
  st = Check(env().AdminToken(), req, &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  st = Check("", req, &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::UNAUTHENTICATED);
}

// A caller acting in one county names it: only that county board's decisions, each answered
// with its county; an officer naming another county than their own is refused.
TEST_F(FundingTest, NarrowedToOneCounty) {
  Approved(kapacitet_, kKommunA, "2027-01-01", "2027-12-31");
  Approved(other_lan_, kKommunA, "2027-01-01", "2027-12-31");
  v1::CheckFundingRequest req =
      ForKommun(kKommunA, "programmes/kapacitet", "2027-05-01", "2027-05-31");
  v1::CheckFundingResponse resp;
  ASSERT_TRUE(Check(env().AgencyToken(), req, &resp).ok());
  ASSERT_EQ(resp.decisions_size(), 2);
  std::vector<std::string> counties = {resp.decisions(0).lanskod(), resp.decisions(1).lanskod()};
  std::sort(counties.begin(), counties.end());
  std::vector<std::string> want = {kTestLan, kOtherLan};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(counties, want);

  req.set_lanskod(kOtherLan);
  ::grpc::Status st = Check(env().AgencyToken(), req, &resp);
  ASSERT_TRUE(st.ok()) << Describe(st);
  ASSERT_EQ(resp.decisions_size(), 1);
  EXPECT_EQ(resp.decisions(0).lanskod(), kOtherLan);
  EXPECT_TRUE(
      absl::StartsWith(resp.decisions(0).application(), absl::StrCat("calls/", other_lan_, "/")));
  EXPECT_TRUE(resp.period_covered());

  // The officer's own county named again is fine; another county is not.
  ASSERT_TRUE(Check(env().OfficerToken("o", kOtherLan), req, &resp).ok());
  EXPECT_EQ(resp.decisions_size(), 1);
  st = Check(env().OfficerToken(), req, &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(st), "LAN_MISMATCH");

  // Not a county code.
  req.set_lanskod("99");
  st = Check(env().AgencyToken(), req, &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "FUNDING_QUERY_INVALID") << Describe(st);
  EXPECT_EQ(ViolationFieldsOf(st), std::vector<std::string>{"lanskod"});
}

// An agency system gets funding only with the scope the policy names (issue #12 item 8).
TEST_F(FundingTest, AgencySystemsNeedTheFundingScope) {
  Approved(tia_, kKommunA, "2027-01-01", "2027-12-31");
  const v1::CheckFundingRequest req =
      ForKommun(kKommunA, "programmes/tia", "2027-03-01", "2027-06-30");
  v1::CheckFundingResponse resp;
  ::grpc::Status st = Check(env().AgencyToken("migrationsverket", {}), req, &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(st), "SCOPE_MISSING");
  st = Check(env().AgencyToken("migrationsverket", {"placement.arrivals"}), req, &resp);
  EXPECT_EQ(ReasonOf(st), "SCOPE_MISSING");
  st = Check(env().AgencyToken("early_measures", {"grants.funding.read"}), req, &resp);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(resp.decisions_size(), 1);
}

TEST_F(FundingTest, Validation) {
  v1::CheckFundingResponse resp;
  // Neither applicant identifier.
  ::grpc::Status st = Check(env().AgencyToken(),
                            Request("programmes/kapacitet", "2027-01-01", "2027-01-31"), &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "FUNDING_QUERY_INVALID");
  EXPECT_EQ(ViolationFieldsOf(st), std::vector<std::string>{"kommunkod"});
  // An unknown kommunkod alone keeps its own reason.
  st = Check(env().AgencyToken(),
             ForKommun("0399", "programmes/kapacitet", "2027-01-01", "2027-01-31"), &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "KOMMUNKOD_UNKNOWN") << Describe(st);
  // A bad organisationsnummer.
  st = Check(env().AgencyToken(),
             ForOrg("802400-1234", "programmes/tia", "2027-01-01", "2027-01-31"), &resp);
  EXPECT_EQ(ReasonOf(st), "ORGANISATIONSNUMMER_INVALID_CHECKSUM") << Describe(st);
  // Programme and period required and valid.
  v1::CheckFundingRequest req = ForKommun(kKommunA, "", "2027-02-01", "2027-01-31");
  st = Check(env().AgencyToken(), req, &resp);
  EXPECT_EQ(ReasonOf(st), "FUNDING_QUERY_INVALID");
  std::vector<std::string> fields = ViolationFieldsOf(st);
  ASSERT_GE(fields.size(), 2u) << Describe(st);
  EXPECT_EQ(fields[0], "programme");
  EXPECT_TRUE(absl::StartsWith(fields[1], "period")) << Describe(st);
  req = ForKommun(kKommunA, "programmes/kapacitet", "2027-01-01", "2027-01-31");
  req.clear_period();
  st = Check(env().AgencyToken(), req, &resp);
  EXPECT_EQ(ReasonOf(st), "FUNDING_QUERY_INVALID") << Describe(st);
  st = Check(env().AgencyToken(), ForKommun(kKommunA, "kapacitet", "2027-01-01", "2027-01-31"),
             &resp);
  EXPECT_EQ(ViolationFieldsOf(st), std::vector<std::string>{"programme"}) << Describe(st);
  // A programme that does not exist.
  st = Check(env().AgencyToken(),
             ForKommun(kKommunA, "programmes/okand", "2027-01-01", "2027-01-31"), &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(st), "PROGRAMME_NOT_FOUND");
}

}  // namespace
}  // namespace integration::grants::testing
