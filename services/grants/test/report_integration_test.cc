// Follow-up reports through the running grants-server on PostgreSQL: submit, accept and return
// with every rejection, overdue across the due date, the county's overdue list, tenant
// isolation, request-id replays and the ReportSubmitted event of committed changes only.
// Approved applications and their report rows are seeded with SQL (DecideApplication creates
// them in production).
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grants_test_env.h"
#include "gtest/gtest.h"
#include "lansstyrelsen/integration/grants/v1/events.pb.h"
#include "rules/values_rules.h"

namespace integration::grants::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr char kRequestA[] = "7c1d1a52-4f7e-4b8e-9a51-0f5b8f0c2a01";
constexpr char kRequestB[] = "7c1d1a52-4f7e-4b8e-9a51-0f5b8f0c2a02";

class ReportTest : public GrantsTest {
 protected:
  void SetUp() override {
    GrantsTest::SetUp();
    env().SeedDemoProgrammes();
    call_id_ = env().SeedCall();
  }

  // An approved grant of `approved_ore` öre to kommun `kommun` in the call (default: the
  // fixture's).
  int64_t SeedGrant(int64_t approved_ore, const std::string& kommun = kKommunA,
                    int64_t call_id = 0) {
    SeedApplicationSpec spec;
    spec.kommunkod = kommun;
    spec.applicant_name = absl::StrCat("Kommun ", kommun);
    return SeedApproved(spec, approved_ore, call_id);
  }
  // The same to an organisation (a non-profit association).
  int64_t SeedOrgGrant(int64_t approved_ore, const std::string& orgnr) {
    SeedApplicationSpec spec;
    spec.kommunkod = "";
    spec.orgnr = orgnr;
    spec.applicant_type = "APPLICANT_TYPE_NON_PROFIT_ASSOCIATION";
    spec.applicant_name = "Föreningen Gemenskap";
    return SeedApproved(spec, approved_ore, 0);
  }
  int64_t SeedApproved(SeedApplicationSpec spec, int64_t approved_ore, int64_t call_id) {
    spec.call_id = call_id == 0 ? call_id_ : call_id;
    spec.state = "DECIDED";
    spec.decision_outcome = "APPROVED";
    spec.requested_ore = approved_ore;
    spec.approved_ore = approved_ore;
    return env().SeedApplication(spec);
  }

  // A report row as DecideApplication creates it, in any state.
  int64_t SeedReport(int64_t app_id, const std::string& type, const std::string& due,
                     const std::string& state = "DUE", int64_t used_ore = 0) {
    return env()
        .Query(absl::StrCat(
            "INSERT INTO reports (application_id, lanskod, report_type, due_date, state, "
            "used_ore) SELECT application_id, lanskod, '",
            type, "', '", due, "', '", state, "', ", used_ore,
            " FROM applications WHERE application_id = ", app_id, " RETURNING report_id"))[0][0]
        .as<int64_t>();
  }

  // The Stockholm day `days` from the service's today, as YYYY-MM-DD.
  std::string Day(int days) { return DayText(StockholmDay(env().clock().Now()) + days); }

  std::string ReportName(int64_t app_id, int64_t report_id, int64_t call_id = 0) {
    return absl::StrCat("calls/", call_id == 0 ? call_id_ : call_id, "/applications/", app_id,
                        "/reports/", report_id);
  }

  static v1::SubmitReportRequest Submission(const std::string& name, int64_t used_ore) {
    v1::SubmitReportRequest req;
    req.mutable_report()->set_name(name);
    req.mutable_report()->mutable_used_amount()->set_ore(used_ore);
    req.mutable_report()->set_activities("Studiecirklar och språkcafé");
    req.mutable_report()->set_outcomes("32 deltagare slutförde kursen");
    req.mutable_report()->mutable_participants()->set_women(19);
    req.mutable_report()->mutable_participants()->set_men(12);
    req.mutable_report()->mutable_participants()->set_other(1);
    return req;
  }

  int64_t Events(const std::string& type) {
    return env().Count(absl::StrCat("SELECT count(*) FROM outbox WHERE event_type = '", type, "'"));
  }

  // A call whose x-request-id header is `request_id`, the id the audit trail records.
  template <class Req, class Resp>
  static grpc::Status CallWithRequestId(grpc::Status (Stub::*method)(grpc::ClientContext*,
                                                                     const Req&, Resp*),
                                        const std::string& token, const std::string& request_id,
                                        const Req& request, Resp* response) {
    std::unique_ptr<grpc::ClientContext> ctx = integration::testing::ServiceHarness::Context(token);
    ctx->AddMetadata("x-request-id", request_id);
    return (env().stub().*method)(ctx.get(), request, response);
  }

  int64_t call_id_ = 0;
};

TEST_F(ReportTest, ApplicantSubmitsAndOfficerAcceptsPartOfTheUse) {
  const int64_t app = SeedGrant(500'000'00);
  const std::string name = ReportName(app, SeedReport(app, "FINAL", Day(30)));

  v1::Report due;
  ASSERT_TRUE(env()
                  .Call(
                      &Stub::GetReport, env().KommunToken(),
                      [&] {
                        v1::GetReportRequest r;
                        r.set_name(name);
                        return r;
                      }(),
                      &due)
                  .ok());
  EXPECT_EQ(due.state(), v1::REPORT_STATE_DUE);
  EXPECT_EQ(due.type(), v1::REPORT_TYPE_FINAL);
  EXPECT_FALSE(due.overdue());
  EXPECT_FALSE(due.has_used_amount());

  v1::Report submitted;
  grpc::Status st = env().Call(&Stub::SubmitReport, env().KommunToken(),
                               Submission(name, 480'000'01), &submitted);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(submitted.state(), v1::REPORT_STATE_SUBMITTED);
  EXPECT_EQ(submitted.used_amount().ore(), 480'000'01);
  EXPECT_EQ(submitted.participants().women(), 19);
  EXPECT_TRUE(submitted.has_submit_time());
  EXPECT_NE(submitted.etag(), due.etag());

  // The event carries the participants by sex.
  ASSERT_EQ(Events("lansstyrelsen.integration.grants.v1.ReportSubmittedEvent"), 1);
  const pqxx::result payload = env().Query(
      "SELECT payload FROM outbox WHERE event_type = "
      "'lansstyrelsen.integration.grants.v1.ReportSubmittedEvent'");
  v1::ReportSubmittedEvent event;
  ASSERT_TRUE(event.ParseFromString(pqxx::binarystring(payload[0][0]).str()));
  EXPECT_EQ(event.report(), name);
  EXPECT_EQ(event.type(), v1::REPORT_TYPE_FINAL);
  EXPECT_EQ(event.participants().women(), 19);
  EXPECT_EQ(event.participants().men(), 12);
  EXPECT_EQ(event.participants().other(), 1);

  v1::AcceptReportRequest accept;
  accept.set_name(name);
  accept.mutable_accepted_amount()->set_ore(450'000'00);
  accept.set_comment("Resekostnader utan kvitto godtas inte");
  accept.set_etag(submitted.etag());
  v1::Report accepted;
  st = env().Call(&Stub::AcceptReport, env().OfficerToken(), accept, &accepted);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(accepted.state(), v1::REPORT_STATE_ACCEPTED);
  EXPECT_EQ(accepted.accepted_amount().ore(), 450'000'00);
  EXPECT_EQ(accepted.review_comment(), "Resekostnader utan kvitto godtas inte");

  // What the applicant reads afterwards is what the officer got back.
  v1::GetReportRequest get;
  get.set_name(name);
  v1::Report read;
  ASSERT_TRUE(env().Call(&Stub::GetReport, env().KommunToken(), get, &read).ok());
  EXPECT_EQ(read.SerializeAsString(), accepted.SerializeAsString());

  EXPECT_EQ(env().Count(absl::StrCat("SELECT count(*) FROM audit_log WHERE resource = '", name,
                                     "' AND action IN ('report.submit', 'report.accept')")),
            2);
}

TEST_F(ReportTest, AcceptWithoutAmountAcceptsAllOfTheUse) {
  const int64_t app = SeedGrant(100'000'00);
  const std::string name =
      ReportName(app, SeedReport(app, "FINANCIAL", Day(10), "SUBMITTED", 99'999'99));
  v1::AcceptReportRequest accept;
  accept.set_name(name);
  v1::Report accepted;
  ASSERT_TRUE(env().Call(&Stub::AcceptReport, env().OfficerToken(), accept, &accepted).ok());
  EXPECT_EQ(accepted.accepted_amount().ore(), 99'999'99);
}

TEST_F(ReportTest, SubmitRejectionsChangeNothing) {
  const int64_t app = SeedGrant(100'000'00);
  const std::string due = ReportName(app, SeedReport(app, "FINAL", Day(30)));
  const std::string submitted = ReportName(app, SeedReport(app, "ACTIVITY", Day(30), "SUBMITTED"));
  const std::string accepted = ReportName(app, SeedReport(app, "INTERIM", Day(-30), "ACCEPTED"));
  v1::Report out;

  for (const std::string& name : {submitted, accepted}) {
    const grpc::Status st =
        env().Call(&Stub::SubmitReport, env().KommunToken(), Submission(name, 1), &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << Describe(st);
    EXPECT_EQ(ReasonOf(st), "REPORT_NOT_OPEN");
  }

  v1::SubmitReportRequest no_money = Submission(due, 0);
  no_money.mutable_report()->clear_used_amount();
  no_money.mutable_report()->mutable_participants()->set_men(-2);
  grpc::Status st = env().Call(&Stub::SubmitReport, env().KommunToken(), no_money, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolationFieldsOf(st),
              UnorderedElementsAre("report.used_amount", "report.participants.men"));

  v1::SubmitReportRequest stale = Submission(due, 1);
  stale.mutable_report()->set_etag("r999");
  st = env().Call(&Stub::SubmitReport, env().KommunToken(), stale, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ReasonOf(st), "ETAG_MISMATCH");

  // An officer is no applicant.
  st = env().Call(&Stub::SubmitReport, env().OfficerToken(), Submission(due, 1), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  const std::string missing = ReportName(app, 999);
  st = env().Call(&Stub::SubmitReport, env().KommunToken(), Submission(missing, 1), &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(st), "REPORT_NOT_FOUND");

  EXPECT_EQ(env().Count("SELECT count(*) FROM reports WHERE state = 'DUE' AND revision = 1"), 1);
  EXPECT_EQ(Events("lansstyrelsen.integration.grants.v1.ReportSubmittedEvent"), 0);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log"), 0);
}

TEST_F(ReportTest, AcceptAndReturnRejections) {
  const int64_t app = SeedGrant(100'000'00);
  const std::string due = ReportName(app, SeedReport(app, "FINAL", Day(30)));
  const std::string submitted =
      ReportName(app, SeedReport(app, "FINANCIAL", Day(30), "SUBMITTED", 50'000'00));
  v1::Report out;

  v1::AcceptReportRequest accept;
  accept.set_name(due);
  grpc::Status st = env().Call(&Stub::AcceptReport, env().OfficerToken(), accept, &out);
  EXPECT_EQ(ReasonOf(st), "REPORT_NOT_SUBMITTED") << Describe(st);
  EXPECT_EQ(MetadataOf(st)["state"], "DUE");

  v1::ReturnReportRequest ret;
  ret.set_name(due);
  ret.set_comment("Komplettera");
  st = env().Call(&Stub::ReturnReport, env().OfficerToken(), ret, &out);
  EXPECT_EQ(ReasonOf(st), "REPORT_NOT_SUBMITTED");

  accept.set_name(submitted);
  accept.mutable_accepted_amount()->set_ore(50'000'01);
  st = env().Call(&Stub::AcceptReport, env().OfficerToken(), accept, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "ACCEPTED_ABOVE_USED");

  accept.mutable_accepted_amount()->set_ore(1);
  st = env().Call(&Stub::AcceptReport, env().OfficerToken("officer-9", kOtherLan), accept, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND) << "another county's: as if missing";
  EXPECT_EQ(ReasonOf(st), "REPORT_NOT_FOUND");

  accept.set_etag("r42");
  st = env().Call(&Stub::AcceptReport, env().OfficerToken(), accept, &out);
  EXPECT_EQ(ReasonOf(st), "ETAG_MISMATCH");

  // The applicant cannot judge its own report (the method's policy).
  accept.clear_etag();
  st = env().Call(&Stub::AcceptReport, env().KommunToken(), accept, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  ret.set_name(submitted);
  ret.set_comment(" ");
  st = env().Call(&Stub::ReturnReport, env().OfficerToken(), ret, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("comment"));

  EXPECT_EQ(env().Count("SELECT count(*) FROM reports WHERE revision > 1"), 0);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log"), 0);
}

TEST_F(ReportTest, ReturnedReportCanBeCompletedAndSubmittedAgain) {
  const int64_t app = SeedGrant(100'000'00);
  const std::string name =
      ReportName(app, SeedReport(app, "FINAL", Day(30), "SUBMITTED", 10'000'00));
  v1::ReturnReportRequest ret;
  ret.set_name(name);
  ret.set_comment("Ange deltagare per kön");
  v1::Report returned;
  grpc::Status st = env().Call(&Stub::ReturnReport, env().OfficerToken(), ret, &returned);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(returned.state(), v1::REPORT_STATE_RETURNED);
  EXPECT_EQ(returned.review_comment(), "Ange deltagare per kön");

  v1::Report again;
  st = env().Call(&Stub::SubmitReport, env().KommunToken(), Submission(name, 12'000'00), &again);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(again.state(), v1::REPORT_STATE_SUBMITTED);
  EXPECT_EQ(again.used_amount().ore(), 12'000'00);
}

TEST_F(ReportTest, OverdueStartsTheDayAfterTheDueDate) {
  const int64_t app = SeedGrant(100'000'00);
  const std::string name = ReportName(app, SeedReport(app, "FINAL", Day(1)));
  v1::GetReportRequest get;
  get.set_name(name);
  v1::ListOverdueReportsRequest list;
  v1::Report report;
  v1::ListOverdueReportsResponse overdue;

  ASSERT_TRUE(env().Call(&Stub::GetReport, env().OfficerToken(), get, &report).ok());
  EXPECT_FALSE(report.overdue());
  ASSERT_TRUE(env().Call(&Stub::ListOverdueReports, env().OfficerToken(), list, &overdue).ok());
  EXPECT_EQ(overdue.reports_size(), 0);

  env().clock().Advance(absl::Hours(48));
  ASSERT_TRUE(env().Call(&Stub::GetReport, env().OfficerToken(), get, &report).ok());
  EXPECT_TRUE(report.overdue());
  ASSERT_TRUE(env().Call(&Stub::ListOverdueReports, env().OfficerToken(), list, &overdue).ok());
  ASSERT_EQ(overdue.reports_size(), 1);
  EXPECT_EQ(overdue.reports(0).name(), name);
  EXPECT_TRUE(overdue.reports(0).overdue());

  // Submitted late: no longer owed, so no longer overdue.
  v1::Report submitted;
  ASSERT_TRUE(
      env().Call(&Stub::SubmitReport, env().KommunToken(), Submission(name, 5), &submitted).ok());
  EXPECT_FALSE(submitted.overdue());
  ASSERT_TRUE(env().Call(&Stub::ListOverdueReports, env().OfficerToken(), list, &overdue).ok());
  EXPECT_EQ(overdue.reports_size(), 0);

  // Returned for completion past its due date: owed, and overdue, again.
  v1::ReturnReportRequest ret;
  ret.set_name(name);
  ret.set_comment("Komplettera");
  ASSERT_TRUE(env().Call(&Stub::ReturnReport, env().OfficerToken(), ret, &report).ok());
  EXPECT_TRUE(report.overdue());
  ASSERT_TRUE(env().Call(&Stub::ListOverdueReports, env().OfficerToken(), list, &overdue).ok());
  EXPECT_EQ(overdue.reports_size(), 1);
}

TEST_F(ReportTest, OverdueListIsTheCountysLongestOverdueFirstInPages) {
  SeedCallSpec other;
  other.title = "Andra utlysningen";
  const int64_t other_call = env().SeedCall(other);
  SeedCallSpec foreign_spec;
  foreign_spec.lanskod = kOtherLan;
  const int64_t foreign_call = env().SeedCall(foreign_spec);
  const int64_t a = SeedGrant(100'000'00);
  const int64_t b = SeedGrant(200'000'00, kKommunB, other_call);
  const int64_t foreign = SeedGrant(1, kOtherLanKommun, foreign_call);
  const std::string a_final = ReportName(a, SeedReport(a, "FINAL", Day(-3)));
  const std::string a_interim = ReportName(a, SeedReport(a, "INTERIM", Day(-40), "RETURNED"));
  const std::string b_final = ReportName(b, SeedReport(b, "FINAL", Day(-10)), other_call);
  SeedReport(b, "ACTIVITY", Day(-50), "SUBMITTED");  // submitted: not overdue
  SeedReport(b, "INTERIM", Day(5));                  // not yet due
  SeedReport(foreign, "FINAL", Day(-100));           // another county

  v1::ListOverdueReportsRequest list;
  list.set_page_size(2);
  v1::ListOverdueReportsResponse page;
  grpc::Status st = env().Call(&Stub::ListOverdueReports, env().OfficerToken(), list, &page);
  ASSERT_TRUE(st.ok()) << Describe(st);
  std::vector<std::string> names;
  for (const v1::Report& r : page.reports()) names.push_back(r.name());
  ASSERT_FALSE(page.next_page_token().empty());
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(env().Call(&Stub::ListOverdueReports, env().OfficerToken(), list, &page).ok());
  for (const v1::Report& r : page.reports()) names.push_back(r.name());
  EXPECT_TRUE(page.next_page_token().empty());
  EXPECT_THAT(names, ElementsAre(a_interim, b_final, a_final));

  v1::ListOverdueReportsRequest one_call;
  one_call.set_call(absl::StrCat("calls/", other_call));
  ASSERT_TRUE(env().Call(&Stub::ListOverdueReports, env().OfficerToken(), one_call, &page).ok());
  ASSERT_EQ(page.reports_size(), 1);
  EXPECT_EQ(page.reports(0).name(), b_final);

  // Another county's call is not this officer's to list; a token from another list is no
  // token of this one.
  one_call.set_call(absl::StrCat("calls/", foreign_call));
  st = env().Call(&Stub::ListOverdueReports, env().OfficerToken(), one_call, &page);
  EXPECT_EQ(ReasonOf(st), "LAN_MISMATCH");
  one_call.set_call(absl::StrCat("calls/", call_id_));
  one_call.set_page_token(list.page_token());
  st = env().Call(&Stub::ListOverdueReports, env().OfficerToken(), one_call, &page);
  EXPECT_EQ(ReasonOf(st), "PAGE_TOKEN_INVALID");

  // The other county's officer sees only its own.
  ASSERT_TRUE(env()
                  .Call(&Stub::ListOverdueReports, env().OfficerToken("o2", kOtherLan),
                        v1::ListOverdueReportsRequest(), &page)
                  .ok());
  ASSERT_EQ(page.reports_size(), 1);
  EXPECT_THAT(page.reports(0).name(), ::testing::StartsWith(absl::StrCat("calls/", foreign_call)));
}

TEST_F(ReportTest, ApplicantsSeeOnlyTheirOwnReports) {
  const int64_t kommun_app = SeedGrant(100'000'00);
  const int64_t org_app = SeedOrgGrant(50'000'00, kOrgAssociation);
  const std::string kommun_report = ReportName(kommun_app, SeedReport(kommun_app, "FINAL", Day(9)));
  const std::string org_report = ReportName(org_app, SeedReport(org_app, "FINAL", Day(9)));
  v1::Report out;
  v1::GetReportRequest get;
  v1::ListReportsRequest list;
  v1::ListReportsResponse listed;

  // Kommun B reads, lists and submits nothing of kommun A's.
  get.set_name(kommun_report);
  // (Answered as if they did not exist, so that ids cannot be probed.)
  grpc::Status st = env().Call(&Stub::GetReport, env().KommunToken(kKommunB), get, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(st), "REPORT_NOT_FOUND");
  list.set_parent(absl::StrCat("calls/", call_id_, "/applications/", kommun_app));
  st = env().Call(&Stub::ListReports, env().KommunToken(kKommunB), list, &listed);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  st = env().Call(&Stub::SubmitReport, env().KommunToken(kKommunB), Submission(kommun_report, 1),
                  &out);
  EXPECT_EQ(ReasonOf(st), "REPORT_NOT_FOUND");

  // Organisation Y sees nothing of organisation X's; X does.
  get.set_name(org_report);
  st = env().Call(&Stub::GetReport, env().OrgToken(kOrgAssociation2), get, &out);
  EXPECT_EQ(ReasonOf(st), "REPORT_NOT_FOUND");
  st = env().Call(&Stub::SubmitReport, env().OrgToken(kOrgAssociation2), Submission(org_report, 1),
                  &out);
  EXPECT_EQ(ReasonOf(st), "REPORT_NOT_FOUND");
  EXPECT_TRUE(env().Call(&Stub::GetReport, env().OrgToken(kOrgAssociation), get, &out).ok());

  // Officers of another county neither.
  st = env().Call(&Stub::GetReport, env().OfficerToken("o2", kOtherLan), get, &out);
  EXPECT_EQ(ReasonOf(st), "REPORT_NOT_FOUND");

  EXPECT_EQ(env().Count("SELECT count(*) FROM reports WHERE state <> 'DUE'"), 0);
}

TEST_F(ReportTest, ListReportsByDueDateInPages) {
  const int64_t app = SeedGrant(100'000'00);
  const std::string last = ReportName(app, SeedReport(app, "FINAL", Day(300)));
  const std::string first = ReportName(app, SeedReport(app, "INTERIM", Day(100)));
  const std::string middle = ReportName(app, SeedReport(app, "FINANCIAL", Day(200)));
  v1::ListReportsRequest list;
  list.set_parent(absl::StrCat("calls/", call_id_, "/applications/", app));
  list.set_page_size(2);
  v1::ListReportsResponse page;
  ASSERT_TRUE(env().Call(&Stub::ListReports, env().KommunToken(), list, &page).ok());
  ASSERT_EQ(page.reports_size(), 2);
  EXPECT_EQ(page.reports(0).name(), first);
  EXPECT_EQ(page.reports(1).name(), middle);
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(env().Call(&Stub::ListReports, env().OfficerToken(), list, &page).ok());
  ASSERT_EQ(page.reports_size(), 1);
  EXPECT_EQ(page.reports(0).name(), last);
  EXPECT_TRUE(page.next_page_token().empty());
}

TEST_F(ReportTest, ARetriedSubmitIsAnsweredOnceAndAReusedIdIsRefused) {
  const int64_t app = SeedGrant(100'000'00);
  const std::string name = ReportName(app, SeedReport(app, "FINAL", Day(9)));
  v1::SubmitReportRequest req = Submission(name, 7'000'00);
  req.set_request_id(kRequestA);
  v1::Report first;
  v1::Report retry;
  ASSERT_TRUE(
      CallWithRequestId(&Stub::SubmitReport, env().KommunToken(), kRequestA, req, &first).ok());
  const grpc::Status st = env().Call(&Stub::SubmitReport, env().KommunToken(), req, &retry);
  ASSERT_TRUE(st.ok()) << Describe(st);  // not REPORT_NOT_OPEN: the first answer again
  EXPECT_EQ(retry.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(Events("lansstyrelsen.integration.grants.v1.ReportSubmittedEvent"), 1);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'report.submit'"), 1);

  // The audit row names who, in which role, and the request.
  const pqxx::result audit =
      env().Query("SELECT actor, role, request_id FROM audit_log WHERE action = 'report.submit'");
  EXPECT_EQ(audit[0][0].as<std::string>(), env().Subject("kommun-0380"));
  EXPECT_EQ(audit[0][1].as<std::string>(), "municipality_officer");
  EXPECT_EQ(audit[0][2].as<std::string>(), kRequestA);

  v1::AcceptReportRequest accept;
  accept.set_name(name);
  accept.set_request_id(kRequestB);
  v1::Report out;
  ASSERT_TRUE(env().Call(&Stub::AcceptReport, env().OfficerToken(), accept, &out).ok());
  accept.mutable_accepted_amount()->set_ore(1);
  const grpc::Status reused = env().Call(&Stub::AcceptReport, env().OfficerToken(), accept, &out);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(reused), "REQUEST_ID_REUSED");
}

}  // namespace
}  // namespace integration::grants::testing
