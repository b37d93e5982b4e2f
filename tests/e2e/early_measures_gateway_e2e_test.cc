// End-to-end test of early measures through the gateway, against the real early-measures-server
// and grants-server: an association's approved TIA grant lets its activity in (another's does
// not), participants and attendance are recorded, the grant report takes its participant
// figures from early_measures, and while grants is stopped activities are refused with
// FUNDING_CHECK_UNAVAILABLE (HTTP 503) and nothing is stored, until grants is back.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "integration/grpc/call_context.h"
#include "lansstyrelsen/integration/early_measures/v1/early_measures_service.grpc.pb.h"
#include "lansstyrelsen/integration/grants/v1/grants_service.grpc.pb.h"
#include "suite.h"

namespace integration::e2e {
namespace {

namespace gv1 = ::lansstyrelsen::integration::grants::v1;
namespace ev1 = ::lansstyrelsen::integration::early_measures::v1;
namespace tv1 = ::lansstyrelsen::integration::type::v1;
using ::integration::grpc::NewRequestId;

constexpr char kOrg[] = "802400-1235";        // holds the approved TIA grant
constexpr char kOrgDigits[] = "8024001235";
constexpr char kOtherOrg[] = "802480-6377";   // holds none
constexpr char kOtherDigits[] = "8024806377";

tv1::Date Day(int y, int m, int d) {
  tv1::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

tv1::DatePeriod Period(tv1::Date start, tv1::Date end) {
  tv1::DatePeriod p;
  *p.mutable_start_date() = start;
  *p.mutable_end_date() = end;
  return p;
}

class EarlyMeasuresThroughGatewayTest : public ::testing::Test {
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
  void SetUp() override {
    ASSERT_NE(suite_, nullptr) << start_error_;
    auto channel = ::grpc::CreateChannel(suite_->gateway().grpc_target(),
                                         ::grpc::InsecureChannelCredentials());
    grants_ = gv1::GrantsService::NewStub(channel);
    em_ = ev1::EarlyMeasuresService::NewStub(channel);
  }

  std::string Org(const std::string& orgnr) {
    integration::testing::Claims claims;
    claims.orgnr = orgnr;
    return suite_->Bearer("organisation_rep", "org-" + orgnr, claims);
  }
  std::string Admin() { return suite_->Bearer("county_admin", "admin-03"); }
  // The administrator of the national programmes (TIA is one).
  std::string NationalAdmin() {
    integration::testing::Claims claims;
    claims.lan = kLan;
    claims.scopes = {"grants.programmes.national"};
    return suite_->Bearer("county_admin", "admin-national", claims);
  }
  std::string Officer() { return suite_->Bearer("county_officer", "officer-03"); }

  // The TIA programme, an open call for 2027 and kOrg's application, decided APPROVED.
  gv1::Application ApprovedTiaGrant() {
    gv1::CreateProgrammeRequest programme;
    gv1::Programme* p = programme.mutable_programme();
    p->set_name("programmes/tia");
    p->set_display_name("Tidiga insatser för asylsökande");
    p->set_legal_basis("Förordning (2016:1364)");
    p->set_description("Tidiga insatser för asylsökande.");
    p->add_eligible_applicant_types(gv1::APPLICANT_TYPE_NON_PROFIT_ASSOCIATION);
    gv1::ReportRequirement* final_report = p->add_required_reports();
    final_report->set_type(gv1::REPORT_TYPE_FINAL);
    final_report->set_anchor(gv1::REPORT_ANCHOR_PROJECT_END);
    final_report->set_months_after(2);
    programme.set_request_id(NewRequestId());
    gv1::Programme created_programme;
    RpcResult r = Invoke(*grants_, &gv1::GrantsService::Stub::CreateProgramme, NationalAdmin(),
                         programme, &created_programme);
    EXPECT_TRUE(r.ok()) << r.Describe();

    gv1::CreateCallRequest create_call;
    gv1::Call* c = create_call.mutable_call();
    c->set_programme("programmes/tia");
    c->set_title("TIA 2027");
    c->set_description("Tidiga insatser under 2027.");
    c->mutable_open_time()->set_seconds(absl::ToUnixSeconds(absl::Now() - absl::Hours(1)));
    c->mutable_close_time()->set_seconds(absl::ToUnixSeconds(absl::Now() + absl::Hours(720)));
    c->mutable_budget()->set_ore(500'000'000);
    c->mutable_max_amount_per_application()->set_ore(100'000'000);
    *c->mutable_funding_period() = Period(Day(2027, 1, 1), Day(2027, 12, 31));
    gv1::Criterion* need = c->add_criteria();
    need->set_id("behov");
    need->set_title("Behov");
    need->set_weight(1);
    create_call.set_request_id(NewRequestId());
    gv1::Call call;
    r = Invoke(*grants_, &gv1::GrantsService::Stub::CreateCall, Admin(), create_call, &call);
    EXPECT_TRUE(r.ok()) << r.Describe();
    gv1::OpenCallRequest open;
    open.set_name(call.name());
    open.set_request_id(NewRequestId());
    r = Invoke(*grants_, &gv1::GrantsService::Stub::OpenCall, Admin(), open, &call);
    EXPECT_TRUE(r.ok()) << r.Describe();

    gv1::CreateApplicationRequest apply;
    apply.set_parent(call.name());
    gv1::Application* a = apply.mutable_application();
    a->mutable_applicant()->set_organisationsnummer(kOrg);
    a->mutable_applicant()->set_type(gv1::APPLICANT_TYPE_NON_PROFIT_ASSOCIATION);
    a->mutable_applicant()->set_display_name("Föreningen Språkvänner");
    a->set_project_title("Svenska för asylsökande");
    a->set_description("Språkcaféer och samhällsinformation.");
    *a->mutable_project_period() = Period(Day(2027, 2, 1), Day(2027, 11, 30));
    gv1::BudgetLine* line = a->add_budget_lines();
    line->set_category(gv1::BUDGET_CATEGORY_PERSONNEL);
    line->set_description("Cirkelledare");
    line->mutable_amount()->set_ore(30'000'000);
    a->mutable_requested_amount()->set_ore(30'000'000);
    apply.set_request_id(NewRequestId());
    gv1::Application app;
    r = Invoke(*grants_, &gv1::GrantsService::Stub::CreateApplication, Org(kOrg), apply, &app);
    EXPECT_TRUE(r.ok()) << r.Describe();
    gv1::SubmitApplicationRequest submit;
    submit.set_name(app.name());
    submit.set_request_id(NewRequestId());
    r = Invoke(*grants_, &gv1::GrantsService::Stub::SubmitApplication, Org(kOrg), submit, &app);
    EXPECT_TRUE(r.ok()) << r.Describe();
    gv1::CreateReviewRequest review;
    review.set_parent(app.name());
    gv1::CriterionScore* score = review.mutable_review()->add_scores();
    score->set_criterion_id("behov");
    score->set_score(4);
    score->set_comment("Tydligt behov");
    review.set_request_id(NewRequestId());
    gv1::Review reviewed;
    r = Invoke(*grants_, &gv1::GrantsService::Stub::CreateReview, Officer(), review, &reviewed);
    EXPECT_TRUE(r.ok()) << r.Describe();
    gv1::DecideApplicationRequest decide;
    decide.set_name(app.name());
    decide.set_outcome(gv1::DECISION_OUTCOME_APPROVED);
    decide.mutable_approved_amount()->set_ore(30'000'000);
    decide.set_conditions("Slutredovisning två månader efter projektets slut.");
    decide.set_request_id(NewRequestId());
    r = Invoke(*grants_, &gv1::GrantsService::Stub::DecideApplication, Officer(), decide, &app);
    EXPECT_TRUE(r.ok()) << r.Describe();
    return app;
  }

  RpcResult CreateActivity(const std::string& orgnr, const std::string& digits,
                           ev1::Activity* out) {
    ev1::CreateActivityRequest req;
    req.set_parent(absl::StrCat("organisations/", digits));
    ev1::Activity* a = req.mutable_activity();
    a->set_display_name("Språkcafé");
    a->set_type(ev1::ACTIVITY_TYPE_SWEDISH_LANGUAGE);
    a->set_kommunkod("0380");
    *a->mutable_period() = Period(Day(2027, 3, 1), Day(2027, 6, 30));
    a->set_planned_sessions(10);
    a->set_planned_hours(20);
    req.set_request_id(NewRequestId());
    return Invoke(*em_, &ev1::EarlyMeasuresService::Stub::CreateActivity, Org(orgnr), req, out);
  }

  static std::unique_ptr<Suite> suite_;
  static std::string start_error_;
  std::unique_ptr<gv1::GrantsService::Stub> grants_;
  std::unique_ptr<ev1::EarlyMeasuresService::Stub> em_;
};

std::unique_ptr<Suite> EarlyMeasuresThroughGatewayTest::suite_;
std::string EarlyMeasuresThroughGatewayTest::start_error_;

TEST_F(EarlyMeasuresThroughGatewayTest, GrantReportFiguresAndAGrantsOutage) {
  const gv1::Application app = ApprovedTiaGrant();
  ASSERT_EQ(app.state(), gv1::APPLICATION_STATE_DECIDED);

  // The association with the grant gets its activity in, funded by that decision; another
  // association, without a grant, does not.
  ev1::Activity activity;
  RpcResult r = CreateActivity(kOrg, kOrgDigits, &activity);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(activity.funding().application(), app.name());
  EXPECT_EQ(activity.funding().diarienummer(), app.diarienummer());
  ev1::Activity refused;
  r = CreateActivity(kOtherOrg, kOtherDigits, &refused);
  EXPECT_EQ(r.code(), ::grpc::StatusCode::FAILED_PRECONDITION) << r.Describe();
  EXPECT_EQ(r.Reason(), "NO_COVERING_FUNDING_DECISION");

  // Participants (HTTP/JSON front) and one session's attendance.
  std::vector<std::string> present;
  int i = 0;
  for (const char* sex : {"SEX_FEMALE", "SEX_FEMALE", "SEX_FEMALE", "SEX_MALE", "SEX_OTHER"}) {
    HttpResult p = Http(suite_->gateway().http_port(), "POST",
                        absl::StrCat("/v1/organisations/", kOrgDigits, "/participants:register"),
                        Org(kOrg),
                        absl::StrCat(R"({"participant": {"lmaNumber": "21-30000)", i++,
                                     R"(", "sex": ")", sex, R"(", "birthYear": 1990}})"),
                        {{"content-type", "application/json"}});
    ASSERT_EQ(p.status, 200) << p.Describe();
    present.push_back(p.Json().fields().at("name").string_value());
  }
  ev1::CreateSessionRequest session_req;
  session_req.set_parent(activity.name());
  *session_req.mutable_session()->mutable_date() = Day(2027, 3, 10);
  session_req.mutable_session()->set_duration_minutes(120);
  session_req.set_request_id(NewRequestId());
  ev1::Session session;
  r = Invoke(*em_, &ev1::EarlyMeasuresService::Stub::CreateSession, Org(kOrg), session_req,
             &session);
  ASSERT_TRUE(r.ok()) << r.Describe();
  ev1::RecordAttendanceRequest attend;
  attend.set_name(session.name());
  for (const std::string& p : present) attend.add_participants(p);
  attend.set_request_id(NewRequestId());
  r = Invoke(*em_, &ev1::EarlyMeasuresService::Stub::RecordAttendance, Org(kOrg), attend,
             &session);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(session.attendees(), 5);

  // The association reports in grants without typing participants: they come from the
  // attendance recorded (3 women, 1 man, 1 other).
  gv1::ListReportsRequest list;
  list.set_parent(app.name());
  gv1::ListReportsResponse reports;
  r = Invoke(*grants_, &gv1::GrantsService::Stub::ListReports, Org(kOrg), list, &reports);
  ASSERT_TRUE(r.ok()) << r.Describe();
  ASSERT_EQ(reports.reports_size(), 1);
  gv1::SubmitReportRequest report;
  report.mutable_report()->set_name(reports.reports(0).name());
  report.mutable_report()->mutable_used_amount()->set_ore(25'000'000);
  report.mutable_report()->set_activities("Språkcaféer");
  report.mutable_report()->set_outcomes("Deltagarna talar mer svenska");
  // Typed figures that differ are refused.
  report.mutable_report()->mutable_participants()->set_women(7);
  report.set_request_id(NewRequestId());
  gv1::Report sent;
  r = Invoke(*grants_, &gv1::GrantsService::Stub::SubmitReport, Org(kOrg), report, &sent);
  EXPECT_EQ(r.Reason(), "PARTICIPANTS_FROM_EARLY_MEASURES") << r.Describe();
  report.mutable_report()->clear_participants();
  report.set_request_id(NewRequestId());
  r = Invoke(*grants_, &gv1::GrantsService::Stub::SubmitReport, Org(kOrg), report, &sent);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(sent.participants().women(), 3);
  EXPECT_EQ(sent.participants().men(), 1);
  EXPECT_EQ(sent.participants().other(), 1);

  // Grants stops: activities are refused with a clear 503 and nothing is stored.
  suite_->service("grants").Stop();
  const std::string body =
      R"({"displayName": "Hälsa", "type": "ACTIVITY_TYPE_HEALTH", "kommunkod": "0380",
          "period": {"startDate": {"year": 2027, "month": 4, "day": 1},
                     "endDate": {"year": 2027, "month": 5, "day": 31}},
          "plannedSessions": 4, "plannedHours": 8})";
  for (int attempt = 0; attempt < 3; ++attempt) {
    HttpResult down = Http(suite_->gateway().http_port(), "POST",
                           absl::StrCat("/v1/organisations/", kOrgDigits, "/activities"),
                           Org(kOrg), body, {{"content-type", "application/json"}});
    EXPECT_EQ(down.status, 503) << down.Describe();
    EXPECT_EQ(down.Reason(), "FUNDING_CHECK_UNAVAILABLE") << down.Describe();
  }
  ev1::ListActivitiesRequest list_activities;
  list_activities.set_parent(absl::StrCat("organisations/", kOrgDigits));
  ev1::ListActivitiesResponse activities;
  r = Invoke(*em_, &ev1::EarlyMeasuresService::Stub::ListActivities, Org(kOrg), list_activities,
             &activities);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(activities.activities_size(), 1);

  // Grants returns: after the circuit's pause the same request goes through.
  ASSERT_TRUE(suite_->service("grants").Restart().ok()) << suite_->service("grants").ServerOutput();
  ASSERT_TRUE(suite_->service("grants").WaitServing(absl::Seconds(20)).ok());
  HttpResult back;
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  do {
    absl::SleepFor(absl::Milliseconds(200));
    back = Http(suite_->gateway().http_port(), "POST",
                absl::StrCat("/v1/organisations/", kOrgDigits, "/activities"), Org(kOrg), body,
                {{"content-type", "application/json"}});
  } while (back.status != 200 && absl::Now() < give_up);
  EXPECT_EQ(back.status, 200) << back.Describe();
  r = Invoke(*em_, &ev1::EarlyMeasuresService::Stub::ListActivities, Org(kOrg), list_activities,
             &activities);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(activities.activities_size(), 2);
}

}  // namespace
}  // namespace integration::e2e
