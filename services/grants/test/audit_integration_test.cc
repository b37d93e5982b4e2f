// The audit trail of an application through the running grants-server: the changes of the
// application and of everything below it, oldest first, with actor, role and request id;
// nothing of another application whose name merely starts alike; pages; who may read it.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grants_test_env.h"
#include "gtest/gtest.h"
#include "rules/values_rules.h"

namespace integration::grants::testing {
namespace {

using ::testing::ElementsAre;

constexpr char kSubmitRequest[] = "5d2b8c1e-9a4f-4c3d-8e7f-1a2b3c4d5e01";
constexpr char kAcceptRequest[] = "5d2b8c1e-9a4f-4c3d-8e7f-1a2b3c4d5e02";

class AuditTest : public GrantsTest {
 protected:
  void SetUp() override {
    GrantsTest::SetUp();
    env().SeedDemoProgrammes();
    call_id_ = env().SeedCall();
  }

  int64_t SeedGrant() {
    SeedApplicationSpec spec;
    spec.call_id = call_id_;
    spec.state = "DECIDED";
    spec.decision_outcome = "APPROVED";
    spec.requested_ore = 100'000'00;
    spec.approved_ore = 100'000'00;
    spec.paid_ore = 100'000'00;
    return env().SeedApplication(spec);
  }

  std::string App(int64_t app_id) {
    return absl::StrCat("calls/", call_id_, "/applications/", app_id);
  }

  // An audit row written straight into the table.
  void SeedAudit(const std::string& resource, const std::string& action) {
    env().Query(
        absl::StrCat("INSERT INTO audit_log (actor, role, action, resource, request_id) VALUES "
                     "('officer-1', 'county_officer', '",
                     action, "', '", resource, "', '')"));
  }

  template <class Req, class Resp>
  static grpc::Status CallWithRequestId(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                                     const Req&, Resp*),
                                        const std::string& token, const std::string& request_id,
                                        const Req& request, Resp* response) {
    std::unique_ptr<grpc::ClientContext> ctx = integration::testing::ServiceHarness::Context(token);
    ctx->AddMetadata("x-request-id", request_id);
    return (env().stub().*method)(ctx.get(), request, response);
  }

  std::vector<std::string> Actions(const v1::ListAuditEventsResponse& resp) {
    std::vector<std::string> out;
    for (const v1::AuditEvent& e : resp.events()) out.push_back(e.action());
    return out;
  }

  int64_t call_id_ = 0;
};

TEST_F(AuditTest, TheTrailListsEveryChangeBelowTheApplicationOldestFirst) {
  const int64_t app = SeedGrant();
  // Application ids restart at 1 in every test; a later one is 2, 3, ... and 1's name is a
  // prefix of 10's: seed an application 10 row in the trail by name only.
  SeedAudit(App(app), "application.submit");
  SeedAudit(App(app) + "0", "application.submit");
  SeedAudit(App(app) + "0/reports/1", "report.submit");
  const int64_t report =
      env()
          .Query(absl::StrCat("INSERT INTO reports (application_id, lanskod, report_type, "
                              "due_date) VALUES (",
                              app, ", '03', 'FINAL', '",
                              DayText(StockholmDay(env().clock().Now()) + 30),
                              "') RETURNING report_id"))[0][0]
          .as<int64_t>();
  const std::string report_name = absl::StrCat(App(app), "/reports/", report);

  v1::SubmitReportRequest submit;
  submit.mutable_report()->set_name(report_name);
  submit.mutable_report()->mutable_used_amount()->set_ore(80'000'00);
  submit.mutable_report()->set_activities("Mentorskap");
  submit.mutable_report()->set_outcomes("Tolv i arbete");
  v1::Report out;
  ASSERT_TRUE(
      CallWithRequestId(&Stub::SubmitReport, env().KommunToken(), kSubmitRequest, submit, &out)
          .ok());
  v1::AcceptReportRequest accept;
  accept.set_name(report_name);
  ASSERT_TRUE(
      CallWithRequestId(&Stub::AcceptReport, env().OfficerToken(), kAcceptRequest, accept, &out)
          .ok());
  v1::RaiseReclaimRequest raise;
  raise.set_parent(App(app));
  raise.mutable_reclaim()->set_reason(v1::RECLAIM_REASON_UNUSED_FUNDS);
  v1::Reclaim reclaim;
  const grpc::Status raised =
      env().Call(&Stub::RaiseReclaim, env().OfficerToken("officer-2"), raise, &reclaim);
  ASSERT_TRUE(raised.ok()) << Describe(raised);

  v1::ListAuditEventsRequest list;
  list.set_parent(App(app));
  v1::ListAuditEventsResponse trail;
  const grpc::Status st = env().Call(&Stub::ListAuditEvents, env().KommunToken(), list, &trail);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_THAT(Actions(trail),
              ElementsAre("application.submit", "report.submit", "report.accept", "reclaim.raise"));
  EXPECT_TRUE(trail.next_page_token().empty());

  const v1::AuditEvent& submitted = trail.events(1);
  EXPECT_EQ(submitted.resource(), report_name);
  EXPECT_EQ(submitted.actor(), env().Subject("kommun-0380"));
  EXPECT_EQ(submitted.role(), "municipality_officer");
  EXPECT_EQ(submitted.request_id(), kSubmitRequest);
  EXPECT_TRUE(submitted.has_event_time());
  const v1::AuditEvent& accepted = trail.events(2);
  EXPECT_EQ(accepted.actor(), env().Subject("officer-1"));
  EXPECT_EQ(accepted.role(), "county_officer");
  EXPECT_EQ(accepted.request_id(), kAcceptRequest);
  EXPECT_EQ(trail.events(3).actor(), env().Subject("officer-2"));
  EXPECT_EQ(trail.events(3).resource(), reclaim.name());
  EXPECT_THAT(trail.events(3).detail(), ::testing::HasSubstr("amount_ore=2000000"));
}

TEST_F(AuditTest, LongTrailsComeInPages) {
  const int64_t app = SeedGrant();
  env().Query(
      absl::StrCat("INSERT INTO audit_log (actor, role, action, resource) SELECT 'officer-1', "
                   "'county_officer', 'step.' || g, '",
                   App(app),
                   "/reviews/' || g FROM "
                   "generate_series(1, 105) g"));
  v1::ListAuditEventsRequest list;
  list.set_parent(App(app));
  v1::ListAuditEventsResponse page;
  // The default page is 100 events.
  ASSERT_TRUE(env().Call(&Stub::ListAuditEvents, env().OfficerToken(), list, &page).ok());
  ASSERT_EQ(page.events_size(), 100);
  EXPECT_EQ(page.events(0).action(), "step.1");
  EXPECT_EQ(page.events(99).action(), "step.100");
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(env().Call(&Stub::ListAuditEvents, env().OfficerToken(), list, &page).ok());
  EXPECT_THAT(Actions(page),
              ElementsAre("step.101", "step.102", "step.103", "step.104", "step.105"));
  EXPECT_TRUE(page.next_page_token().empty());

  list.clear_page_token();
  list.set_page_size(104);
  ASSERT_TRUE(env().Call(&Stub::ListAuditEvents, env().OfficerToken(), list, &page).ok());
  EXPECT_EQ(page.events_size(), 104);
  list.set_page_size(-1);
  const grpc::Status st = env().Call(&Stub::ListAuditEvents, env().OfficerToken(), list, &page);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "PAGE_SIZE_INVALID");
}

TEST_F(AuditTest, OnlyTheApplicantAndTheCountyReadTheTrail) {
  const int64_t app = SeedGrant();
  SeedAudit(App(app), "application.submit");
  v1::ListAuditEventsRequest list;
  list.set_parent(App(app));
  v1::ListAuditEventsResponse trail;
  // Other applicants and counties: as if the application did not exist.
  grpc::Status st = env().Call(&Stub::ListAuditEvents, env().KommunToken(kKommunB), list, &trail);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  st = env().Call(&Stub::ListAuditEvents, env().OrgToken(kOrgAssociation), list, &trail);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  st = env().Call(&Stub::ListAuditEvents, env().OfficerToken("o2", kOtherLan), list, &trail);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  st = env().Call(&Stub::ListAuditEvents, env().AgencyToken(), list, &trail);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  list.set_parent(App(app + 1));
  st = env().Call(&Stub::ListAuditEvents, env().OfficerToken(), list, &trail);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  list.set_parent("calls/x/applications/1");
  st = env().Call(&Stub::ListAuditEvents, env().OfficerToken(), list, &trail);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(AuditTest, TheApplicantSeesItsOwnStepsButNeitherReviewsNorReviewers) {
  const int64_t app = SeedGrant();
  SeedAudit(App(app), "application.submit");
  SeedAudit(App(app) + "/reviews/1", "review.create");
  SeedAudit(App(app), "application.decide");
  SeedAudit(App(app) + "/reviews/2", "review.create");
  SeedAudit(App(app), "application.future_internal_step");  // unknown: county only
  SeedAudit(App(app) + "/disbursements/1", "disbursement.pay");

  v1::ListAuditEventsRequest list;
  list.set_parent(App(app));
  v1::ListAuditEventsResponse trail;
  ASSERT_TRUE(env().Call(&Stub::ListAuditEvents, env().OfficerToken(), list, &trail).ok());
  EXPECT_THAT(Actions(trail),
              ElementsAre("application.submit", "review.create", "application.decide",
                          "review.create", "application.future_internal_step",
                          "disbursement.pay"));
  ASSERT_TRUE(env().Call(&Stub::ListAuditEvents, env().KommunToken(), list, &trail).ok());
  EXPECT_THAT(Actions(trail),
              ElementsAre("application.submit", "application.decide", "disbursement.pay"));

  // Pages of the applicant's view are full: what it may not see does not use up the page.
  list.set_page_size(2);
  ASSERT_TRUE(env().Call(&Stub::ListAuditEvents, env().KommunToken(), list, &trail).ok());
  EXPECT_THAT(Actions(trail), ElementsAre("application.submit", "application.decide"));
  ASSERT_FALSE(trail.next_page_token().empty());
  list.set_page_token(trail.next_page_token());
  ASSERT_TRUE(env().Call(&Stub::ListAuditEvents, env().KommunToken(), list, &trail).ok());
  EXPECT_THAT(Actions(trail), ElementsAre("disbursement.pay"));
  EXPECT_TRUE(trail.next_page_token().empty());
}

TEST_F(AuditTest, AReviewThroughTheServiceStaysOutOfTheApplicantsTrail) {
  SeedApplicationSpec spec;
  spec.call_id = call_id_;
  spec.state = "SUBMITTED";
  const int64_t app = env().SeedApplication(spec);
  v1::CreateReviewRequest review;
  review.set_parent(App(app));
  for (const char* criterion : {"need", "quality"}) {
    v1::CriterionScore* s = review.mutable_review()->add_scores();
    s->set_criterion_id(criterion);
    s->set_score(4);
  }
  v1::Review out;
  const grpc::Status reviewed =
      env().Call(&Stub::CreateReview, env().OfficerToken("officer-9"), review, &out);
  ASSERT_TRUE(reviewed.ok()) << Describe(reviewed);

  v1::ListAuditEventsRequest list;
  list.set_parent(App(app));
  v1::ListAuditEventsResponse trail;
  ASSERT_TRUE(env().Call(&Stub::ListAuditEvents, env().OfficerToken(), list, &trail).ok());
  ASSERT_THAT(Actions(trail), ElementsAre("review.create"));
  EXPECT_EQ(trail.events(0).actor(), env().Subject("officer-9"));
  ASSERT_TRUE(env().Call(&Stub::ListAuditEvents, env().KommunToken(), list, &trail).ok());
  EXPECT_EQ(trail.events_size(), 0);
}

}  // namespace
}  // namespace integration::grants::testing
