// End-to-end test of the orientation service through the gateway's HTTP/JSON front, against the
// real orientation-server, PostgreSQL and Redis: the README's walkthrough (a shared offering,
// a session, a participant, an ineligible one refused with every reason, enrolment, attendance,
// follow-up and its CSV, the public certificate key) at the paths of the proto's http rules, and
// a kommun refused another kommun's participant.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "suite.h"

namespace integration::e2e {
namespace {

using ::testing::HasSubstr;

class OrientationThroughGatewayTest : public ::testing::Test {
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
  static std::string Field(const HttpResult& r, const std::string& name) {
    const google::protobuf::Struct json = r.Json();
    auto it = json.fields().find(name);
    return it == json.fields().end() ? "" : it->second.string_value();
  }
  // {"year": …, "month": …, "day": …} of today + `days`.
  static std::string Date(int days) {
    const absl::CivilDay d = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) + days;
    return absl::StrCat(R"({"year": )", d.year(), R"(, "month": )", d.month(), R"(, "day": )",
                        d.day(), "}");
  }

  static std::unique_ptr<Suite> suite_;
  static std::string start_error_;
};

std::unique_ptr<Suite> OrientationThroughGatewayTest::suite_;
std::string OrientationThroughGatewayTest::start_error_;

TEST_F(OrientationThroughGatewayTest, TheWalkthroughOverHttp) {
  const std::string uppsala = Kommun("0380");
  const std::string enkoping = Kommun("0381");

  HttpResult r = Http(port(), "POST", "/v1/offerings", uppsala,
                      absl::StrCat(R"({"displayName": "SO på tigrinja", "language": "ti",
                          "communicator": "Senait Tesfay", "capacity": 20,
                          "kommunkoder": ["0380", "0381"], "period": {"startDate": )",
                                   Date(-60), R"(, "endDate": )", Date(60), "}}"));
  ASSERT_EQ(r.status, 200) << r.Describe();
  const std::string offering = Field(r, "name");
  EXPECT_THAT(offering, ::testing::StartsWith("offerings/"));
  // The other kommun sees the shared offering.
  EXPECT_EQ(Http(port(), "GET", "/v1/" + offering, enkoping).status, 200);

  r = Http(port(), "POST", "/v1/" + offering + "/sessions", uppsala,
           absl::StrCat(R"({"date": )", Date(-7), R"(, "themes": [
               {"theme": "THEME_HEALTH", "minutes": 90},
               {"theme": "THEME_AGEING", "minutes": 45}]})"));
  ASSERT_EQ(r.status, 200) << r.Describe();
  const std::string session = Field(r, "name");
  EXPECT_THAT(r.body, HasSubstr(R"("minutes":135)"));

  const std::string person = R"({"personnummer": "19900512-1232", "registeredKommunkod": "0380",
      "registrationDate": )" +
                             Date(-30) + R"(, "firstRegistrationDate": )" + Date(-30) +
                             R"(, "permitType": "PERMIT_TYPE_PROTECTION", "citizenships": ["ER"],
      "languages": ["ti"]})";
  r = Http(port(), "POST", "/v1/kommuner/0380/participants", uppsala, person);
  ASSERT_EQ(r.status, 200) << r.Describe();
  const std::string participant = Field(r, "name");
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr("19900512")));
  r = Http(port(), "POST", "/v1/kommuner/0380/participants:lookup", uppsala,
           R"({"personnummer": "900512-1232"})");
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(Field(r, "name"), participant);
  // Another kommun: refused at the gateway by the policy's tenant field.
  EXPECT_EQ(Http(port(), "GET", "/v1/" + participant, enkoping).status, 403);

  // An ineligible person: every reason, each a field violation.
  r = Http(port(), "POST", "/v1/kommuner/0380/participants", uppsala,
           R"({"personnummer": "19851163-0009", "registeredKommunkod": "0381",
               "registrationDate": )" +
               Date(-30) + R"(, "firstRegistrationDate": )" + Date(-30) +
               R"(, "permitType": "PERMIT_TYPE_OTHER", "citizenships": ["DE"]})");
  ASSERT_EQ(r.status, 200) << r.Describe();
  const std::string ineligible = Field(r, "name");
  r = Http(port(), "POST", "/v1/" + ineligible + "/enrolments", uppsala,
           absl::StrCat(R"({"offering": ")", offering, R"("})"));
  EXPECT_EQ(r.status, 400) << r.Describe();
  EXPECT_EQ(r.Reason(), "NOT_ELIGIBLE");
  EXPECT_THAT(r.body, HasSubstr("INELIGIBILITY_REASON_PERMIT_NOT_ELIGIBLE: "));
  EXPECT_THAT(r.body, HasSubstr("INELIGIBILITY_REASON_EEA_OR_SWISS_CITIZEN: "));
  EXPECT_THAT(r.body, HasSubstr("INELIGIBILITY_REASON_REGISTERED_IN_OTHER_KOMMUN: "));

  r = Http(port(), "POST", "/v1/" + participant + "/enrolments", uppsala,
           absl::StrCat(R"({"offering": ")", offering, R"("})"));
  ASSERT_EQ(r.status, 200) << r.Describe();
  const std::string enrolment = Field(r, "name");
  r = Http(port(), "POST", "/v1/" + session + ":recordAttendance", uppsala,
           absl::StrCat(R"({"attendances": [{"enrolment": ")", enrolment,
                        R"(", "status": "ATTENDANCE_STATUS_PRESENT"}]})"));
  ASSERT_EQ(r.status, 200) << r.Describe();
  r = Http(port(), "GET", "/v1/" + enrolment, uppsala);
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_THAT(r.body, HasSubstr(R"("attendedMinutes":"135")"));
  EXPECT_EQ(Field(r, "state"), "STATE_ENROLLED");

  const std::string officer = suite_->Bearer("county_officer", "officer-03");
  r = Http(port(), "GET", "/v1/orientationFollowUp", officer);
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_EQ(Field(r, "lanskod"), "03");
  EXPECT_THAT(r.body, HasSubstr(R"("suppressed":true)"));
  r = Http(port(), "GET", "/v1/orientationFollowUp:export", officer);
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_THAT(r.headers["content-type"], HasSubstr("text/csv"));
  EXPECT_THAT(r.body, ::testing::StartsWith("kommunkod,enrolled,"));
  EXPECT_EQ(Http(port(), "GET", "/v1/orientationFollowUp", uppsala).status, 403);

  // The certificate key needs no token.
  r = Http(port(), "GET", "/v1/certificatePublicKey");
  ASSERT_EQ(r.status, 200) << r.Describe();
  EXPECT_THAT(r.body, HasSubstr("BEGIN PUBLIC KEY"));
}

}  // namespace
}  // namespace integration::e2e
