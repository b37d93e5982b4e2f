// Amendments through the running grants-server on PostgreSQL: an approved amendment changes
// the application's period and budget, keeps what it replaced and moves the due dates of the
// reports still owed; a rejected one changes nothing; every rejection of a request; one
// pending amendment at a time; tenant isolation; the AmendmentDecided event.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grants_test_env.h"
#include "gtest/gtest.h"
#include "lansstyrelsen/integration/grants/v1/events.pb.h"
#include "rules/values_rules.h"

namespace integration::grants::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

type::Date D(int y, int m, int d) {
  type::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

class AmendmentTest : public GrantsTest {
 protected:
  void SetUp() override {
    GrantsTest::SetUp();
    env().SeedDemoProgrammes();   // kapacitet: final report 2 months after the project's end
    call_id_ = env().SeedCall();  // funding period 2027-01-01 – 2027-12-31
  }

  // An application of kommun A for 2027-02-01 – 2027-11-30 with one budget line of the
  // requested amount, decided with `outcome` for `approved_ore`.
  int64_t SeedDecided(int64_t requested_ore, int64_t approved_ore,
                      const std::string& outcome = "APPROVED",
                      const std::string& state = "DECIDED") {
    SeedApplicationSpec spec;
    spec.call_id = call_id_;
    spec.state = state;
    spec.decision_outcome = outcome;
    spec.requested_ore = requested_ore;
    spec.approved_ore = approved_ore;
    return env().SeedApplication(spec);
  }

  int64_t SeedReport(int64_t app_id, const std::string& type, const std::string& due,
                     const std::string& state) {
    return env()
        .Query(absl::StrCat(
            "INSERT INTO reports (application_id, lanskod, report_type, due_date, state) "
            "SELECT application_id, lanskod, '",
            type, "', '", due, "', '", state, "' FROM applications WHERE application_id = ", app_id,
            " RETURNING report_id"))[0][0]
        .as<int64_t>();
  }

  std::string App(int64_t app_id) {
    return absl::StrCat("calls/", call_id_, "/applications/", app_id);
  }

  static v1::CreateAmendmentRequest Request(const std::string& parent) {
    v1::CreateAmendmentRequest req;
    req.set_parent(parent);
    req.mutable_amendment()->set_reason("Rekryteringen av samordnare försenades");
    return req;
  }
  static void SetPeriod(v1::CreateAmendmentRequest& req, type::Date start, type::Date end) {
    *req.mutable_amendment()->mutable_project_period()->mutable_start_date() = start;
    *req.mutable_amendment()->mutable_project_period()->mutable_end_date() = end;
  }
  static void AddLine(v1::CreateAmendmentRequest& req, v1::BudgetCategory category, int64_t ore) {
    v1::BudgetLine* line = req.mutable_amendment()->mutable_budget()->add_lines();
    line->set_category(category);
    line->set_description("Ny rad");
    line->mutable_amount()->set_ore(ore);
  }

  v1::Amendment Create(const v1::CreateAmendmentRequest& req) {
    v1::Amendment out;
    const grpc::Status st = env().Call(&Stub::CreateAmendment, env().KommunToken(), req, &out);
    EXPECT_TRUE(st.ok()) << Describe(st);
    return out;
  }

  // period_start, period_end, revision and the budget's line count of an application.
  std::string Stored(int64_t app_id) {
    const pqxx::result r = env().Query(absl::StrCat(
        "SELECT period_start::text, period_end::text, revision, budget FROM applications WHERE "
        "application_id = ",
        app_id));
    v1::BudgetPlan plan;
    plan.ParseFromString(pqxx::binarystring(r[0][3]).str());
    return absl::StrCat(r[0][0].as<std::string>(), " ", r[0][1].as<std::string>(), " r",
                        r[0][2].as<int64_t>(), " lines=", plan.lines_size());
  }

  int64_t call_id_ = 0;
};

TEST_F(AmendmentTest, ApprovalChangesTheApplicationAndKeepsTheHistory) {
  const int64_t app = SeedDecided(800'000'00, 800'000'00);
  const int64_t final_report = SeedReport(app, "FINAL", "2028-01-30", "DUE");
  ASSERT_EQ(Stored(app), "2027-02-01 2027-11-30 r1 lines=1");

  v1::CreateAmendmentRequest req = Request(App(app));
  SetPeriod(req, D(2027, 3, 1), D(2027, 12, 31));
  AddLine(req, v1::BUDGET_CATEGORY_PERSONNEL, 500'000'00);
  AddLine(req, v1::BUDGET_CATEGORY_SERVICES, 300'000'00);
  const v1::Amendment requested = Create(req);
  EXPECT_EQ(requested.state(), v1::AMENDMENT_STATE_REQUESTED);
  EXPECT_EQ(requested.name(), App(app) + "/amendments/1");
  EXPECT_EQ(requested.budget().lines_size(), 2);
  EXPECT_FALSE(requested.has_previous_project_period());
  // Requested only: the application is unchanged.
  EXPECT_EQ(Stored(app), "2027-02-01 2027-11-30 r1 lines=1");

  v1::DecideAmendmentRequest decide;
  decide.set_name(requested.name());
  decide.set_approve(true);
  decide.set_etag(requested.etag());
  v1::Amendment approved;
  const grpc::Status st =
      env().Call(&Stub::DecideAmendment, env().OfficerToken(), decide, &approved);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(approved.state(), v1::AMENDMENT_STATE_APPROVED);
  EXPECT_EQ(approved.decider(), env().Subject("officer-1"));
  EXPECT_TRUE(approved.has_decide_time());
  EXPECT_EQ(approved.previous_project_period().start_date().month(), 2);
  EXPECT_EQ(approved.previous_project_period().end_date().day(), 30);
  ASSERT_EQ(approved.previous_budget().lines_size(), 1);
  EXPECT_EQ(approved.previous_budget().lines(0).amount().ore(), 800'000'00);

  EXPECT_EQ(Stored(app), "2027-03-01 2027-12-31 r2 lines=2");
  // The final report follows the new end: 2027-12-31 + 2 months = 2028-02-29 (leap year).
  EXPECT_EQ(env()
                .Query(absl::StrCat("SELECT due_date::text FROM reports WHERE report_id = ",
                                    final_report))[0][0]
                .as<std::string>(),
            "2028-02-29");

  v1::ListAmendmentsRequest list;
  list.set_parent(App(app));
  v1::ListAmendmentsResponse history;
  ASSERT_TRUE(env().Call(&Stub::ListAmendments, env().KommunToken(), list, &history).ok());
  ASSERT_EQ(history.amendments_size(), 1);
  EXPECT_EQ(history.amendments(0).SerializeAsString(), approved.SerializeAsString());

  ASSERT_EQ(env().Count("SELECT count(*) FROM outbox WHERE event_type = "
                        "'lansstyrelsen.integration.grants.v1.AmendmentDecidedEvent'"),
            1);
  v1::AmendmentDecidedEvent event;
  ASSERT_TRUE(event.ParseFromString(
      pqxx::binarystring(
          env().Query("SELECT payload FROM outbox WHERE event_type = "
                      "'lansstyrelsen.integration.grants.v1.AmendmentDecidedEvent'")[0][0])
          .str()));
  EXPECT_EQ(event.amendment(), approved.name());
  EXPECT_EQ(event.state(), v1::AMENDMENT_STATE_APPROVED);

  const pqxx::result audit = env().Query("SELECT action, resource FROM audit_log ORDER BY id");
  std::vector<std::string> rows;
  for (const pqxx::row& r : audit) {
    rows.push_back(absl::StrCat(r[0].as<std::string>(), " ", r[1].as<std::string>()));
  }
  EXPECT_THAT(rows,
              ElementsAre("amendment.create " + approved.name(),
                          "report.reschedule " + App(app) + "/reports/1",
                          "amendment.approve " + approved.name(), "application.amend " + App(app)));
}

TEST_F(AmendmentTest, RejectionChangesNothingButTheAmendment) {
  const int64_t app = SeedDecided(800'000'00, 800'000'00);
  SeedReport(app, "FINAL", "2028-01-30", "DUE");
  v1::CreateAmendmentRequest req = Request(App(app));
  SetPeriod(req, D(2027, 1, 1), D(2027, 12, 31));
  const v1::Amendment requested = Create(req);

  v1::DecideAmendmentRequest decide;
  decide.set_name(requested.name());
  decide.set_approve(false);
  v1::Amendment out;
  grpc::Status st = env().Call(&Stub::DecideAmendment, env().OfficerToken(), decide, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("comment"));

  decide.set_comment("Förlängningen saknar stöd i projektplanen");
  st = env().Call(&Stub::DecideAmendment, env().OfficerToken(), decide, &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.state(), v1::AMENDMENT_STATE_REJECTED);
  EXPECT_EQ(out.decision_comment(), "Förlängningen saknar stöd i projektplanen");
  EXPECT_FALSE(out.has_previous_project_period());

  EXPECT_EQ(Stored(app), "2027-02-01 2027-11-30 r1 lines=1");
  EXPECT_EQ(env().Count("SELECT count(*) FROM reports WHERE due_date = '2028-01-30'"), 1);

  // Decided once: not again, either way.
  decide.set_approve(true);
  st = env().Call(&Stub::DecideAmendment, env().OfficerToken(), decide, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "AMENDMENT_NOT_REQUESTED");
  EXPECT_EQ(MetadataOf(st)["state"], "REJECTED");
  EXPECT_EQ(Stored(app), "2027-02-01 2027-11-30 r1 lines=1");
}

TEST_F(AmendmentTest, RequestsAreCheckedAgainstTheGrantAndTheCall) {
  const int64_t app = SeedDecided(800'000'00, 600'000'00, "PARTIALLY_APPROVED");
  v1::Amendment out;

  grpc::Status st =
      env().Call(&Stub::CreateAmendment, env().KommunToken(), Request(App(app)), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "AMENDMENT_EMPTY");

  v1::CreateAmendmentRequest outside = Request(App(app));
  SetPeriod(outside, D(2027, 3, 1), D(2028, 3, 31));
  st = env().Call(&Stub::CreateAmendment, env().KommunToken(), outside, &out);
  EXPECT_EQ(ReasonOf(st), "PERIOD_OUTSIDE_FUNDING_PERIOD");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("amendment.project_period"));

  // Partly approved: the new budget must sum to the 600 000 kr approved, not the requested.
  v1::CreateAmendmentRequest requested_sum = Request(App(app));
  AddLine(requested_sum, v1::BUDGET_CATEGORY_PERSONNEL, 800'000'00);
  st = env().Call(&Stub::CreateAmendment, env().KommunToken(), requested_sum, &out);
  EXPECT_EQ(ReasonOf(st), "BUDGET_LINES_SUM_MISMATCH");

  v1::CreateAmendmentRequest malformed = Request(App(app));
  malformed.mutable_amendment()->clear_reason();
  AddLine(malformed, v1::BUDGET_CATEGORY_UNSPECIFIED, 600'000'00);
  st = env().Call(&Stub::CreateAmendment, env().KommunToken(), malformed, &out);
  EXPECT_THAT(ViolationFieldsOf(st),
              UnorderedElementsAre("amendment.reason", "amendment.budget.lines[0].category"));

  // Another kommun, an officer, or an application that is not an approved grant.
  v1::CreateAmendmentRequest fine = Request(App(app));
  AddLine(fine, v1::BUDGET_CATEGORY_PERSONNEL, 400'000'00);
  AddLine(fine, v1::BUDGET_CATEGORY_MATERIALS, 200'000'00);
  // Another applicant's application is answered as a missing one (ids cannot be probed).
  st = env().Call(&Stub::CreateAmendment, env().KommunToken(kKommunB), fine, &out);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  st = env().Call(&Stub::CreateAmendment, env().OfficerToken(), fine, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const int64_t submitted = SeedDecided(100'000'00, 0, "", "SUBMITTED");
  const int64_t rejected = SeedDecided(100'000'00, 0, "REJECTED");
  for (int64_t other : {submitted, rejected}) {
    v1::CreateAmendmentRequest r = Request(App(other));
    AddLine(r, v1::BUDGET_CATEGORY_PERSONNEL, 100'000'00);
    st = env().Call(&Stub::CreateAmendment, env().KommunToken(), r, &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_APPROVED");
  }
  EXPECT_EQ(env().Count("SELECT count(*) FROM amendments"), 0);

  // One pending amendment at a time.
  const v1::Amendment first = Create(fine);
  st = env().Call(&Stub::CreateAmendment, env().KommunToken(), fine, &out);
  EXPECT_EQ(ReasonOf(st), "AMENDMENT_PENDING");
  EXPECT_EQ(MetadataOf(st)["amendment"], first.name());
  EXPECT_EQ(env().Count("SELECT count(*) FROM amendments"), 1);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log"), 1);
}

TEST_F(AmendmentTest, DecisionsAreTheCountysAndHonourTheEtag) {
  const int64_t app = SeedDecided(800'000'00, 800'000'00);
  v1::CreateAmendmentRequest req = Request(App(app));
  SetPeriod(req, D(2027, 2, 1), D(2027, 12, 15));
  const v1::Amendment requested = Create(req);
  v1::DecideAmendmentRequest decide;
  decide.set_name(requested.name());
  decide.set_approve(true);
  v1::Amendment out;
  grpc::Status st =
      env().Call(&Stub::DecideAmendment, env().OfficerToken("o2", kOtherLan), decide, &out);
  EXPECT_EQ(ReasonOf(st), "AMENDMENT_NOT_FOUND") << "another county's: as if missing";
  st = env().Call(&Stub::DecideAmendment, env().KommunToken(), decide, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  decide.set_etag("r9");
  st = env().Call(&Stub::DecideAmendment, env().OfficerToken(), decide, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ABORTED);
  decide.set_name(App(app) + "/amendments/99");
  decide.clear_etag();
  st = env().Call(&Stub::DecideAmendment, env().OfficerToken(), decide, &out);
  EXPECT_EQ(ReasonOf(st), "AMENDMENT_NOT_FOUND");
  EXPECT_EQ(Stored(app), "2027-02-01 2027-11-30 r1 lines=1");
  EXPECT_EQ(env().Count("SELECT count(*) FROM outbox"), 0);

  // Kommun B may not read the history either.
  v1::ListAmendmentsRequest list;
  list.set_parent(App(app));
  v1::ListAmendmentsResponse history;
  st = env().Call(&Stub::ListAmendments, env().KommunToken(kKommunB), list, &history);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
}

TEST_F(AmendmentTest, SuccessiveAmendmentsFormTheHistory) {
  const int64_t app = SeedDecided(800'000'00, 800'000'00);
  for (int end_day : {10, 20}) {
    v1::CreateAmendmentRequest req = Request(App(app));
    SetPeriod(req, D(2027, 2, 1), D(2027, 12, end_day));
    const v1::Amendment a = Create(req);
    v1::DecideAmendmentRequest decide;
    decide.set_name(a.name());
    decide.set_approve(true);
    v1::Amendment out;
    ASSERT_TRUE(env().Call(&Stub::DecideAmendment, env().OfficerToken(), decide, &out).ok());
  }
  v1::ListAmendmentsRequest list;
  list.set_parent(App(app));
  list.set_page_size(1);
  v1::ListAmendmentsResponse page;
  ASSERT_TRUE(env().Call(&Stub::ListAmendments, env().OfficerToken(), list, &page).ok());
  ASSERT_EQ(page.amendments_size(), 1);
  EXPECT_EQ(page.amendments(0).previous_project_period().end_date().day(), 30);  // 30 Nov
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(env().Call(&Stub::ListAmendments, env().OfficerToken(), list, &page).ok());
  ASSERT_EQ(page.amendments_size(), 1);
  EXPECT_EQ(page.amendments(0).previous_project_period().end_date().day(), 10);  // 10 Dec
  EXPECT_EQ(page.amendments(0).project_period().end_date().day(), 20);
  EXPECT_TRUE(page.next_page_token().empty());
  EXPECT_EQ(Stored(app), "2027-02-01 2027-12-20 r3 lines=1");
}

}  // namespace
}  // namespace integration::grants::testing
