// End-to-end test of the placement service through the gateway's HTTP/JSON front, against the
// real placement-server, PostgreSQL and Redis: the README's walkthrough (key, arrival with its
// assignment, capacity, matching, placement) at the paths of the proto's http rules with no
// per-method gateway code, and a kommun refused another kommun's child; and the settlement
// walkthrough (county number → proposal → decision → assignment → reception → overdue list,
// follow-up and its CSV).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "integration/auth/auth.h"
#include "suite.h"

namespace integration::e2e {
namespace {

class PlacementThroughGatewayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<Suite>> suite = Suite::Start(RealServices());
    if (suite.ok()) {
      suite_ = *std::move(suite);
    } else {
      start_error_ = suite.status().ToString();
    }
  }
  static void TearDownTestSuite() { suite_.reset(); }
  void SetUp() override { ASSERT_NE(suite_, nullptr) << start_error_; }

  int port() { return suite_->gateway().http_port(); }
  std::string Kommun(const std::string& kommun) {
    integration::testing::Claims claims;
    claims.kommun = kommun;
    return suite_->Bearer("municipality_officer", "officer-" + kommun, claims);
  }
  // Migrationsverket's system with the arrival scope (the suite's tokens carry no scopes): signed
  // with the key every server of the suite trusts, without a kid as that key is the only one.
  std::string Agency(const std::string& scope = "placement.arrivals") {
    const integration::testing::ServiceHarness& h = suite_->service("placement");
    auth::TokenClaims claims;
    claims.issuer = h.options().issuer;
    claims.audience = h.options().audience;
    claims.subject = "system-migrationsverket";
    claims.role = "agency_system";
    claims.agency = "migrationsverket";
    claims.scopes = {scope};
    claims.not_before = std::chrono::system_clock::now() - std::chrono::minutes(1);
    claims.expires_at = std::chrono::system_clock::now() + std::chrono::hours(1);
    absl::StatusOr<std::string> token = auth::SignToken(claims, h.jwt_key_pem(), "");
    EXPECT_TRUE(token.ok()) << token.status();
    return token.ok() ? "Bearer " + *token : "";
  }
  static std::string Field(const HttpResult& r, const std::string& name) {
    const google::protobuf::Struct json = r.Json();
    auto it = json.fields().find(name);
    return it == json.fields().end() ? "" : it->second.string_value();
  }

  static std::unique_ptr<Suite> suite_;
  static std::string start_error_;
};

std::unique_ptr<Suite> PlacementThroughGatewayTest::suite_;
std::string PlacementThroughGatewayTest::start_error_;

TEST_F(PlacementThroughGatewayTest, TheWalkthroughOverHttp) {
  const std::string admin = suite_->Bearer("county_admin", "admin-03");
  const std::string officer = suite_->Bearer("county_officer", "officer-03");
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  const std::string year = absl::StrCat(today.year());

  HttpResult r = Http(port(), "POST", "/v1/counties/03/allocationKeys", admin,
                      absl::StrCat(R"({"name": "counties/03/allocationKeys/)", year,
                                   R"(", "countyTotalPerMille": 30, "shares": [
                                   {"kommunkod": "0380", "perMille": 20},
                                   {"kommunkod": "0305", "perMille": 10}]})"));
  ASSERT_EQ(r.status, 200) << r.Describe();

  const std::string arrival = absl::StrCat(
      R"({"arrival": {"dossierNumber": "27-000123", "assessedAge": 15, "sex": "SEX_MALE",
      "languages": ["prs"], "needs": "Skolstart", "arrivalKommunkod": "0380",
      "arrivalDate": {"year": )",
      today.year(), R"(, "month": )", today.month(), R"(, "day": )", today.day(), "}}}");
  r = Http(port(), "POST", "/v1/children:reportArrival", Agency(), arrival);
  ASSERT_EQ(r.status, 200) << r.Describe();
  const std::string child = Field(r, "name");
  EXPECT_THAT(child, ::testing::StartsWith("children/"));
  EXPECT_EQ(Field(r, "state"), "CHILD_STATE_ASSIGNED");
  // Re-sent: the same child.
  r = Http(port(), "POST", "/v1/children:reportArrival", Agency(), arrival);
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(Field(r, "name"), child);
  EXPECT_EQ(
      Http(port(), "POST", "/v1/children:reportArrival",
           suite_->Bearer("agency_system", "no-scope", integration::testing::Claims{}), arrival)
          .status,
      403);

  r = Http(port(), "GET", "/v1/" + child + "?purpose=kontroll", officer);
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_THAT(r.body, ::testing::HasSubstr("Skolstart"));
  EXPECT_THAT(r.body, ::testing::HasSubstr("deficit"));
  r = Http(port(), "GET", "/v1/" + child + "?purpose=nyfiken", Kommun("0305"));
  EXPECT_EQ(r.status, 403) << r.Describe();
  EXPECT_EQ(r.Reason(), "TENANT_MISMATCH");

  r = Http(port(), "POST", "/v1/kommuner/0380/units", Kommun("0380"),
           R"({"displayName": "HVB Fyris", "type": "UNIT_TYPE_HVB", "places": 3,
               "minAge": 13, "maxAge": 17, "languages": ["prs"]})");
  ASSERT_EQ(r.status, 200) << r.Describe();
  const std::string unit = Field(r, "name");
  // The policy's tenant_field refuses another kommun's path at the gateway already.
  EXPECT_EQ(Http(port(), "GET", "/v1/" + unit, Kommun("0305")).status, 403);

  r = Http(port(), "POST", "/v1/counties/03:proposeMatches", officer, "{}");
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_THAT(r.body, ::testing::HasSubstr(unit));

  r = Http(port(), "POST", "/v1/" + child + "/placements", officer,
           absl::StrCat(R"({"unit": ")", unit, R"("})"));
  ASSERT_EQ(r.status, 200) << r.Describe();
  const std::string placement = Field(r, "name");
  r = Http(port(), "POST", "/v1/" + placement + ":confirm", Kommun("0380"), "{}");
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(Field(r, "state"), "PLACEMENT_STATE_CONFIRMED");

  r = Http(port(), "GET", "/v1/placementStatistics?year=" + year, officer);
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(Field(r, "lanskod"), "03");
}

TEST_F(PlacementThroughGatewayTest, TheSettlementWalkthroughOverHttp) {
  integration::testing::Claims national_claims;
  national_claims.lan = "01";
  national_claims.scopes = {"placement.quotas.national"};
  const std::string national = suite_->Bearer("county_admin", "national-admin", national_claims);
  const std::string admin = suite_->Bearer("county_admin", "admin-03");
  const std::string officer = suite_->Bearer("county_officer", "officer-03");
  const std::string agency = Agency("placement.settlement");
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  const std::string quota = absl::StrCat("counties/03/settlementQuotas/", today.year());
  auto date = [](absl::CivilDay d) {
    return absl::StrCat(R"({"year": )", d.year(), R"(, "month": )", d.month(), R"(, "day": )",
                        d.day(), "}");
  };

  // 1. The county number, by the national administrator only.
  const std::string set = R"({"countyNumber": 120, "reason": "Regeringsbeslut 2026-12-01"})";
  HttpResult r = Http(port(), "POST", "/v1/" + quota + ":setCountyNumber", admin, set);
  EXPECT_EQ(r.status, 403) << r.Describe();
  EXPECT_EQ(r.Reason(), "SCOPE_MISSING");
  r = Http(port(), "POST", "/v1/" + quota + ":setCountyNumber", national, set);
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(Field(r, "state"), "SETTLEMENT_QUOTA_STATE_COUNTY_NUMBER_SET");

  // 2. The proposal from the basis; 3. the admin's decision, refused when it does not sum.
  r = Http(port(), "POST", "/v1/" + quota + ":proposeKommunNumbers", officer,
           R"({"basis": {"weights": [{"factor": "SETTLEMENT_FACTOR_POPULATION", "weight": 60},
               {"factor": "SETTLEMENT_FACTOR_HOUSING", "weight": 40}],
             "kommuner": [
               {"kommunkod": "0380", "values": [{"factor": "SETTLEMENT_FACTOR_HOUSING", "value": 100}]},
               {"kommunkod": "0305", "values": [{"factor": "SETTLEMENT_FACTOR_HOUSING", "value": 20}]}]}})");
  ASSERT_EQ(r.status, 200) << r.Describe();
  const google::protobuf::Struct proposal = r.Json();
  const auto& numbers = proposal.fields().at("kommunNumbers").list_value();
  ASSERT_EQ(numbers.values_size(), 2);
  double sum = 0;
  for (const auto& n : numbers.values()) sum += n.struct_value().fields().at("persons").number_value();
  EXPECT_EQ(sum, 120);
  r = Http(port(), "POST", "/v1/" + quota + ":decideKommunNumbers", admin,
           R"({"kommunNumbers": [{"kommunkod": "0380", "persons": 100},
               {"kommunkod": "0305", "persons": 21}], "reason": "Beslut om kommuntal"})");
  EXPECT_EQ(r.status, 400) << r.Describe();  // FAILED_PRECONDITION
  EXPECT_EQ(r.Reason(), "KOMMUN_NUMBERS_SUM_MISMATCH");
  r = Http(port(), "POST", "/v1/" + quota + ":decideKommunNumbers", admin,
           R"({"kommunNumbers": [{"kommunkod": "0380", "persons": 100},
               {"kommunkod": "0305", "persons": 20}], "reason": "Beslut om kommuntal"})");
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(Field(r, "state"), "SETTLEMENT_QUOTA_STATE_KOMMUN_NUMBERS_DECIDED");

  // 4. Migrationsverket assigns two households to Uppsala: one today, one 70 days ago.
  auto report = [&](const std::string& household, absl::CivilDay day) {
    return Http(port(), "POST", "/v1/settlementAssignments:report", agency,
                absl::StrCat(R"({"settlementAssignment": {"householdReference": ")", household,
                             R"(", "persons": 3, "kommunkod": "0380", "assignmentDate": )",
                             date(day), "}}"));
  };
  r = report("MV-E2E-1", today);
  ASSERT_EQ(r.status, 200) << r.Describe();
  const std::string fresh = Field(r, "name");
  EXPECT_THAT(fresh, ::testing::StartsWith("kommuner/0380/settlementAssignments/"));
  r = report("MV-E2E-1", today);  // re-sent: the same
  EXPECT_EQ(Field(r, "name"), fresh);
  r = report("MV-E2E-2", today - 70);
  ASSERT_EQ(r.status, 200) << r.Describe();
  const std::string late = Field(r, "name");
  EXPECT_EQ(Field(r, "state"), "SETTLEMENT_STATE_OVERDUE");

  // 5. Uppsala records the reception; Håbo may not.
  const std::string reception = absl::StrCat(R"({"receptionDate": )", date(today), "}");
  EXPECT_EQ(Http(port(), "POST", "/v1/" + fresh + ":recordReception", Kommun("0305"), reception).status,
            403);
  r = Http(port(), "POST", "/v1/" + fresh + ":recordReception", Kommun("0380"), reception);
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(Field(r, "state"), "SETTLEMENT_STATE_RECEIVED");

  // 6. The overdue list and the follow-up.
  r = Http(port(), "GET", "/v1/settlementAssignments?state=SETTLEMENT_STATE_OVERDUE", officer);
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_THAT(r.body, ::testing::HasSubstr(late));
  EXPECT_THAT(r.body, ::testing::Not(::testing::HasSubstr(fresh)));
  r = Http(port(), "GET", absl::StrCat("/v1/settlementFollowUp?year=", today.year()), officer);
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(r.Json().fields().at("countyNumber").number_value(), 120);
  r = Http(port(), "GET", absl::StrCat("/v1/settlementFollowUp?year=", today.year()), Kommun("0305"));
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_THAT(r.body, ::testing::Not(::testing::HasSubstr("0380")));
  r = Http(port(), "GET", absl::StrCat("/v1/settlementFollowUp:export?year=", today.year()), officer);
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_THAT(r.Header("content-type"), ::testing::HasSubstr("text/csv"));
  EXPECT_THAT(r.body, ::testing::StartsWith("kommunkod,kommun_number,assigned,received,overdue,remaining"));
  EXPECT_THAT(r.body, ::testing::HasSubstr("0380,100,"));
}

}  // namespace
}  // namespace integration::e2e
