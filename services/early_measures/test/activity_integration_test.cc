// Activities against a fake grants: accepted only with a covering approved decision of the same
// organisation (reference stored, event and audit written), refused otherwise with nothing
// stored; grants down gives FUNDING_CHECK_UNAVAILABLE, opens the circuit and recovers; a slow
// grants does not hold a call past its deadline; a new period or plan is re-checked; another
// organisation or county sees nothing.
#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "early_measures_test_env.h"
#include "integration/grpc/call_context.h"
#include "gtest/gtest.h"
#include "rules/tia_rules.h"

namespace integration::early_measures::testing {
namespace {

using integration::testing::ReasonOf;

constexpr char kApp1[] = "calls/3/applications/11";
constexpr char kApp2[] = "calls/3/applications/12";

v1::Activity NewActivity(const std::string& start, const std::string& end,
                         const std::string& kommun = "0180") {
  v1::Activity a;
  a.set_display_name("Svenska för nyanlända");
  a.set_type(v1::ACTIVITY_TYPE_SWEDISH_LANGUAGE);
  a.set_kommunkod(kommun);
  *a.mutable_period() = PeriodOf(Period{*ParseDayText(start), *ParseDayText(end)});
  a.set_planned_sessions(20);
  a.set_planned_hours(40);
  return a;
}

class ActivityTest : public EarlyMeasuresTest {
 protected:
  ::grpc::Status Create(const std::string& token, const std::string& org_digits,
                        const v1::Activity& activity, v1::Activity* out,
                        std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
    v1::CreateActivityRequest req;
    req.set_parent(absl::StrCat("organisations/", org_digits));
    *req.mutable_activity() = activity;
    req.set_request_id(integration::grpc::NewRequestId());
    std::unique_ptr<::grpc::ClientContext> ctx =
        integration::testing::ServiceHarness::Context(token);
    ctx->set_deadline(std::chrono::system_clock::now() + deadline);
    ctx->AddMetadata("x-request-id", "req-create-activity");
    return env().stub().CreateActivity(ctx.get(), req, out);
  }
  int64_t Activities() { return env().Count("SELECT count(*) FROM activities"); }
};

TEST_F(ActivityTest, AcceptedWithACoveringDecisionOfTheOrganisation) {
  env().grants().SetDecisions(kOrgA, {{kApp1, "851-11-2027", "2027-01-01", "2027-12-31"}});
  v1::Activity created;
  ::grpc::Status st = Create(env().OrgToken(kOrgA), kOrgANameDigits,
                             NewActivity("2027-03-01", "2027-06-30"), &created);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(created.name(), "organisations/8024001235/activities/1");
  EXPECT_EQ(created.funding().application(), kApp1);
  EXPECT_EQ(created.funding().diarienummer(), "851-11-2027");
  EXPECT_EQ(created.lanskod(), "01");
  EXPECT_FALSE(created.etag().empty());
  EXPECT_EQ(env().Count("SELECT count(*) FROM activities WHERE funding_application = "
                        "'calls/3/applications/11'"),
            1);
  EXPECT_EQ(env().Count("SELECT count(*) FROM outbox WHERE event_type = "
                        "'lansstyrelsen.integration.early_measures.v1.ActivityRegisteredEvent'"),
            1);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'activity.create'"), 1);

  // Grants was asked with the service's own identity, not the organisation's token, and the
  // request id travelled along.
  const SeenFundingCall seen = env().grants().last();
  EXPECT_EQ(seen.caller.role, "agency_system");
  EXPECT_EQ(seen.caller.agency, "early_measures");
  EXPECT_EQ(seen.caller.scopes, std::vector<std::string>{"grants.funding.read"});
  EXPECT_EQ(seen.request_id, "req-create-activity");
  EXPECT_EQ(seen.orgnr, kOrgA);
  EXPECT_EQ(seen.lanskod, "01");
}

TEST_F(ActivityTest, OnlyADecisionOfTheActivitysCountyCounts) {
  // Organisation A's grant is Stockholm county's (01): an activity in Malmö (Skåne, 12) is not
  // funded by it.
  env().grants().SetDecisions(kOrgA, {{kApp1, "851-11-2027", "2027-01-01", "2027-12-31"}}, "01");
  v1::Activity out;
  ::grpc::Status st = Create(env().OrgToken(kOrgA), kOrgANameDigits,
                             NewActivity("2027-03-01", "2027-06-30", "1280"), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "NO_COVERING_FUNDING_DECISION");
  EXPECT_EQ(env().grants().last().lanskod, "12");
  // A grants that ignores the county in the request (one older than the field) still cannot
  // fund it: the answer's decisions are checked against the county too.
  env().grants().SetIgnoreCounty(true);
  st = Create(env().OrgToken(kOrgA), kOrgANameDigits,
              NewActivity("2027-03-01", "2027-06-30", "1280"), &out);
  EXPECT_EQ(ReasonOf(st), "NO_COVERING_FUNDING_DECISION");
  env().grants().SetIgnoreCounty(false);
  EXPECT_EQ(Activities(), 0);
  // The same grant made by Skåne's board funds it.
  env().grants().SetDecisions(kOrgA, {{kApp1, "851-11-2027", "2027-01-01", "2027-12-31"}}, "12");
  st = Create(env().OrgToken(kOrgA), kOrgANameDigits,
              NewActivity("2027-03-01", "2027-06-30", "1280"), &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.lanskod(), "12");
}

TEST_F(ActivityTest, RefusedWithoutADecisionCoveringThePeriod) {
  // Only another organisation's decision, or decisions that do not cover the whole period.
  env().grants().SetDecisions(kOrgB, {{kApp2, "851-12-2027", "2027-01-01", "2027-12-31"}});
  env().grants().SetDecisions(kOrgA, {{kApp1, "851-11-2027", "2027-01-01", "2027-04-30"},
                                      {"calls/3/applications/13", "851-13-2027", "2027-05-01",
                                       "2027-12-31"}});
  v1::Activity out;
  for (const auto& [start, end] : std::vector<std::pair<std::string, std::string>>{
           {"2027-03-01", "2027-06-30"},   // only two decisions together
           {"2026-12-31", "2027-03-31"},   // one day before the first
           {"2028-01-01", "2028-03-31"}}) {  // after all of them
    ::grpc::Status st =
        Create(env().OrgToken(kOrgA), kOrgANameDigits, NewActivity(start, end), &out);
    EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION) << start;
    EXPECT_EQ(ReasonOf(st), "NO_COVERING_FUNDING_DECISION") << start;
  }
  EXPECT_EQ(Activities(), 0);
  EXPECT_EQ(env().Count("SELECT count(*) FROM outbox"), 0);
  // Another organisation's token cannot create under organisation A.
  ::grpc::Status st = Create(env().OrgToken(kOrgB), kOrgANameDigits,
                             NewActivity("2027-03-01", "2027-03-31"), &out);
  EXPECT_EQ(ReasonOf(st), "TENANT_MISMATCH");
  EXPECT_EQ(Activities(), 0);
}

TEST_F(ActivityTest, GrantsDownIsAClearErrorNothingIsStoredAndItRecovers) {
  env().grants().SetDecisions(kOrgA, {{kApp1, "851-11-2027", "2027-01-01", "2027-12-31"}});
  env().grants().Stop();
  v1::Activity out;
  for (int i = 0; i < 3; ++i) {
    ::grpc::Status st = Create(env().OrgToken(kOrgA), kOrgANameDigits,
                               NewActivity("2027-03-01", "2027-06-30"), &out);
    EXPECT_EQ(st.error_code(), ::grpc::StatusCode::UNAVAILABLE) << Describe(st);
    EXPECT_EQ(ReasonOf(st), "FUNDING_CHECK_UNAVAILABLE");
  }
  // The circuit is open now: answered at once.
  const absl::Time before = absl::Now();
  ::grpc::Status st = Create(env().OrgToken(kOrgA), kOrgANameDigits,
                             NewActivity("2027-03-01", "2027-06-30"), &out);
  EXPECT_LT(absl::Now() - before, absl::Milliseconds(200));
  EXPECT_EQ(ReasonOf(st), "FUNDING_CHECK_UNAVAILABLE");
  EXPECT_EQ(Activities(), 0);
  EXPECT_EQ(env().Count("SELECT count(*) FROM outbox"), 0);

  ASSERT_TRUE(env().grants().Start().ok());
  // Within the open interval it still refuses; after it, the probe goes through.
  absl::SleepFor(absl::Milliseconds(600));
  st = Create(env().OrgToken(kOrgA), kOrgANameDigits, NewActivity("2027-03-01", "2027-06-30"),
              &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(Activities(), 1);
}

TEST_F(ActivityTest, ASlowGrantsDoesNotHoldTheCallPastItsDeadline) {
  env().grants().SetDecisions(kOrgA, {{kApp1, "851-11-2027", "2027-01-01", "2027-12-31"}});
  env().grants().SetDelay(absl::Seconds(3));
  v1::Activity out;
  const absl::Time start = absl::Now();
  ::grpc::Status st = Create(env().OrgToken(kOrgA), kOrgANameDigits,
                             NewActivity("2027-03-01", "2027-06-30"), &out,
                             std::chrono::milliseconds(400));
  const absl::Duration took = absl::Now() - start;
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::DEADLINE_EXCEEDED) << Describe(st);
  EXPECT_LT(took, absl::Milliseconds(600));
  // Grants got the caller's deadline (minus the margin), not the service's 1 s cap.
  const SeenFundingCall seen = env().grants().last();
  EXPECT_LT(seen.deadline, start + absl::Milliseconds(400));
  // With time to spare the service's own cap (1 s) ends the wait: UNAVAILABLE, not a hang.
  const absl::Time start2 = absl::Now();
  st = Create(env().OrgToken(kOrgA), kOrgANameDigits, NewActivity("2027-03-01", "2027-06-30"),
              &out);
  EXPECT_LT(absl::Now() - start2, absl::Milliseconds(1800));
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::UNAVAILABLE) << Describe(st);
  EXPECT_EQ(ReasonOf(st), "FUNDING_CHECK_UNAVAILABLE");
  absl::SleepFor(absl::Seconds(3));  // let the fake's sleeping handlers finish
  EXPECT_EQ(Activities(), 0);
}

TEST_F(ActivityTest, APeriodOrPlanChangeIsCheckedAgain) {
  env().grants().SetDecisions(kOrgA, {{kApp1, "851-11-2027", "2027-01-01", "2027-08-31"}});
  v1::Activity created;
  ASSERT_TRUE(Create(env().OrgToken(kOrgA), kOrgANameDigits,
                     NewActivity("2027-03-01", "2027-06-30"), &created)
                  .ok());
  const int calls = env().grants().calls();

  // A new title only: no question to grants.
  v1::UpdateActivityRequest req;
  *req.mutable_activity() = created;
  req.mutable_activity()->set_display_name("Svenska, kvällsgrupp");
  req.mutable_update_mask()->add_paths("display_name");
  v1::Activity updated;
  ::grpc::Status st = env().Call(&Stub::UpdateActivity, env().OrgToken(kOrgA), req, &updated);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(env().grants().calls(), calls);
  EXPECT_NE(updated.etag(), created.etag());

  // A period past the decision: refused, nothing changed.
  req = v1::UpdateActivityRequest();
  *req.mutable_activity() = updated;
  *req.mutable_activity()->mutable_period() = NewActivity("2027-03-01", "2027-09-30").period();
  req.mutable_update_mask()->add_paths("period");
  st = env().Call(&Stub::UpdateActivity, env().OrgToken(kOrgA), req, &updated);
  EXPECT_EQ(ReasonOf(st), "NO_COVERING_FUNDING_DECISION");
  EXPECT_EQ(env().Count("SELECT count(*) FROM activities WHERE period_end = '2027-06-30'"), 1);

  // Grants down while the plan changes: the change waits for the check, nothing stored.
  env().grants().Stop();
  req = v1::UpdateActivityRequest();
  req.mutable_activity()->set_name(created.name());
  req.mutable_activity()->set_planned_hours(60);
  req.mutable_update_mask()->add_paths("planned_hours");
  st = env().Call(&Stub::UpdateActivity, env().OrgToken(kOrgA), req, &updated);
  EXPECT_EQ(ReasonOf(st), "FUNDING_CHECK_UNAVAILABLE");
  EXPECT_EQ(env().Count("SELECT planned_hours FROM activities"), 40);
  ASSERT_TRUE(env().grants().Start().ok());
  absl::SleepFor(absl::Milliseconds(600));

  // Inside the decision: accepted, re-checked, event written.
  req = v1::UpdateActivityRequest();
  req.mutable_activity()->set_name(created.name());
  *req.mutable_activity()->mutable_period() = NewActivity("2027-02-01", "2027-08-31").period();
  req.mutable_activity()->set_planned_hours(60);
  req.mutable_update_mask()->add_paths("period");
  req.mutable_update_mask()->add_paths("planned_hours");
  const int before = env().grants().calls();
  st = env().Call(&Stub::UpdateActivity, env().OrgToken(kOrgA), req, &updated);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(env().grants().calls(), before + 1);
  EXPECT_EQ(updated.planned_hours(), 60);
  EXPECT_EQ(env().Count("SELECT count(*) FROM outbox WHERE event_type = "
                        "'lansstyrelsen.integration.early_measures.v1.ActivityChangedEvent'"),
            2);
}

TEST_F(ActivityTest, OrganisationsAndCountiesSeeOnlyTheirOwn) {
  env().grants().SetDecisions(kOrgA, {{kApp1, "851-11-2027", "2027-01-01", "2027-12-31"}});
  v1::Activity created;
  ASSERT_TRUE(Create(env().OrgToken(kOrgA), kOrgANameDigits,
                     NewActivity("2027-03-01", "2027-06-30", "0180"), &created)
                  .ok());
  v1::GetActivityRequest get;
  get.set_name(created.name());
  v1::Activity got;
  EXPECT_TRUE(env().Call(&Stub::GetActivity, env().OrgToken(kOrgA), get, &got).ok());
  EXPECT_TRUE(env().Call(&Stub::GetActivity, env().OfficerToken("01"), get, &got).ok());
  EXPECT_EQ(ReasonOf(env().Call(&Stub::GetActivity, env().OrgToken(kOrgB), get, &got)),
            "TENANT_MISMATCH");
  EXPECT_EQ(ReasonOf(env().Call(&Stub::GetActivity, env().OfficerToken("12"), get, &got)),
            "LAN_MISMATCH");
  // The name under another organisation does not find it.
  get.set_name(absl::StrCat("organisations/", kOrgBNameDigits, "/activities/1"));
  EXPECT_EQ(ReasonOf(env().Call(&Stub::GetActivity, env().OrgToken(kOrgB), get, &got)),
            "ACTIVITY_NOT_FOUND");

  v1::ListActivitiesRequest list;
  list.set_parent(absl::StrCat("organisations/", kOrgANameDigits));
  v1::ListActivitiesResponse listed;
  ASSERT_TRUE(env().Call(&Stub::ListActivities, env().OfficerToken("01"), list, &listed).ok());
  EXPECT_EQ(listed.activities_size(), 1);
  ASSERT_TRUE(env().Call(&Stub::ListActivities, env().OfficerToken("12"), list, &listed).ok());
  EXPECT_EQ(listed.activities_size(), 0);
  EXPECT_EQ(ReasonOf(env().Call(&Stub::ListActivities, env().OrgToken(kOrgB), list, &listed)),
            "TENANT_MISMATCH");
  EXPECT_EQ(env().Call(&Stub::ListActivities, env().AgencyToken({"early_measures.figures.read"}),
                       list, &listed)
                .error_code(),
            ::grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace integration::early_measures::testing
