// End-to-end tests of the grants service through the gateway, over both fronts, against the
// real grants-server, PostgreSQL and Redis: the whole lifecycle of a grant (programme, call,
// application, review, ranking, decision, payment, reports, reclaim, audit trail), open calls
// served publicly from the gateway's cache until the service's CallChanged event, tenant
// isolation of kommuner and organisations, CheckFunding for agency systems and the grants
// section of the regional overview.
#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dispatcher_test_support.h"
#include "integration/grpc/call_context.h"
#include "lansstyrelsen/integration/gateway/v1/gateway_service.grpc.pb.h"
#include "lansstyrelsen/integration/grants/v1/grants_service.grpc.pb.h"
#include "suite.h"

namespace integration::e2e {
namespace {

namespace v1 = ::lansstyrelsen::integration::grants::v1;
namespace gw = ::lansstyrelsen::integration::gateway::v1;
using Stub = v1::GrantsService::Stub;
using ::integration::grpc::NewRequestId;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::MatchesRegex;

// Uppsala län's kommuner Uppsala and Enköping, and two non-profit associations.
constexpr char kKommunA[] = "0380";
constexpr char kKommunB[] = "0381";
constexpr char kOrgA[] = "802400-1235";
constexpr char kOrgB[] = "802500-4568";

// The amounts of the lifecycle, in öre: 800 000 kr requested, 700 000 kr approved and paid,
// 550 000 kr reported used, 500 000 kr accepted, so 200 000 kr are claimed back.
constexpr int64_t kRequested = 80'000'000;
constexpr int64_t kApproved = 70'000'000;
constexpr int64_t kUsed = 55'000'000;
constexpr int64_t kAccepted = 50'000'000;
constexpr int64_t kReclaimed = kApproved - kAccepted;

// What a request or answer body looks like as proto3 JSON, and back (strict: a field the proto
// does not have fails the test).
template <class M>
M FromJson(const HttpResult& r) {
  M message;
  const auto st = google::protobuf::util::JsonStringToMessage(r.body, &message);
  EXPECT_TRUE(st.ok()) << st.ToString() << ": " << r.body.substr(0, 400);
  return message;
}

template <class M>
std::string ToJson(const M& message) {
  std::string json;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(message, &json).ok());
  return json;
}

lansstyrelsen::integration::type::v1::Date Day(int year, int month, int day) {
  lansstyrelsen::integration::type::v1::Date d;
  d.set_year(year);
  d.set_month(month);
  d.set_day(day);
  return d;
}

google::protobuf::Timestamp At(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

// A programme open to kommuner and non-profit associations that owes an interim report six
// months after the project's start and a final report two months after its end.
v1::Programme Programme(const std::string& id) {
  v1::Programme p;
  p.set_name("programmes/" + id);
  p.set_display_name("Kapacitet och beredskap (" + id + ")");
  p.set_legal_basis("Förordning (2010:1122) § 37");
  p.set_description("Stöd för kommunernas mottagande av nyanlända.");
  p.add_eligible_applicant_types(v1::APPLICANT_TYPE_KOMMUN);
  p.add_eligible_applicant_types(v1::APPLICANT_TYPE_NON_PROFIT_ASSOCIATION);
  v1::ReportRequirement* interim = p.add_required_reports();
  interim->set_type(v1::REPORT_TYPE_INTERIM);
  interim->set_anchor(v1::REPORT_ANCHOR_PROJECT_START);
  interim->set_months_after(6);
  v1::ReportRequirement* final_report = p.add_required_reports();
  final_report->set_type(v1::REPORT_TYPE_FINAL);
  final_report->set_anchor(v1::REPORT_ANCHOR_PROJECT_END);
  final_report->set_months_after(2);
  return p;
}

// A call of `programme` open from an hour ago for a month: 5 Mkr, at most 1 Mkr each, projects
// during 2027, two weighted criteria.
v1::Call CallOf(const std::string& programme, const std::string& title) {
  v1::Call c;
  c.set_programme(programme);
  c.set_title(title);
  c.set_description("Utlysning för mottagande under 2027.");
  *c.mutable_open_time() = At(absl::Now() - absl::Hours(1));
  *c.mutable_close_time() = At(absl::Now() + absl::Hours(24 * 30));
  c.mutable_budget()->set_ore(500'000'000);
  c.mutable_max_amount_per_application()->set_ore(100'000'000);
  *c.mutable_funding_period()->mutable_start_date() = Day(2027, 1, 1);
  *c.mutable_funding_period()->mutable_end_date() = Day(2027, 12, 31);
  v1::Criterion* need = c.add_criteria();
  need->set_id("behov");
  need->set_title("Behov");
  need->set_weight(2);
  v1::Criterion* quality = c.add_criteria();
  quality->set_id("kvalitet");
  quality->set_title("Kvalitet");
  quality->set_weight(1);
  return c;
}

// An application of kommun `kommunkod` for 800 000 kr during Feb-Nov 2027.
v1::Application KommunApplication(const std::string& kommunkod, const std::string& title) {
  v1::Application a;
  a.mutable_applicant()->set_kommunkod(kommunkod);
  a.mutable_applicant()->set_type(v1::APPLICANT_TYPE_KOMMUN);
  a.mutable_applicant()->set_display_name(kommunkod == kKommunA ? "Uppsala kommun"
                                                                : "Enköpings kommun");
  a.set_project_title(title);
  a.set_description("Samordnare och lokaler för mottagandet.");
  *a.mutable_project_period()->mutable_start_date() = Day(2027, 2, 1);
  *a.mutable_project_period()->mutable_end_date() = Day(2027, 11, 30);
  v1::BudgetLine* staff = a.add_budget_lines();
  staff->set_category(v1::BUDGET_CATEGORY_PERSONNEL);
  staff->set_description("Samordnare");
  staff->mutable_amount()->set_ore(60'000'000);
  v1::BudgetLine* rooms = a.add_budget_lines();
  rooms->set_category(v1::BUDGET_CATEGORY_PREMISES);
  rooms->set_description("Lokaler");
  rooms->mutable_amount()->set_ore(20'000'000);
  a.mutable_requested_amount()->set_ore(kRequested);
  return a;
}

// The same project applied for by association `orgnr`.
v1::Application OrganisationApplication(const std::string& orgnr) {
  v1::Application a = KommunApplication(kKommunA, "Flyktingguider");
  a.mutable_applicant()->set_organisationsnummer(orgnr);
  a.mutable_applicant()->set_type(v1::APPLICANT_TYPE_NON_PROFIT_ASSOCIATION);
  a.mutable_applicant()->set_display_name("Föreningen " + orgnr);
  return a;
}

// Whether `actions` holds `expected` in this order (other actions may come between).
bool InOrder(const std::vector<std::string>& actions, const std::vector<std::string>& expected) {
  auto it = actions.begin();
  for (const std::string& want : expected) {
    it = std::find(it, actions.end(), want);
    if (it == actions.end()) return false;
    ++it;
  }
  return true;
}

class GrantsThroughGatewayTest : public ::testing::Test {
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
    channel_ = ::grpc::CreateChannel(suite_->gateway().grpc_target(),
                                     ::grpc::InsecureChannelCredentials());
    stub_ = v1::GrantsService::NewStub(channel_);
  }

  Suite& suite() { return *suite_; }
  Stub& stub() { return *stub_; }
  int http_port() { return suite_->gateway().http_port(); }

  std::string Admin() { return suite_->Bearer("county_admin", "admin-uppsala"); }
  // The administrator of the national programmes.
  std::string NationalAdmin() {
    integration::testing::Claims claims;
    claims.lan = kLan;
    claims.scopes = {"grants.programmes.national"};
    return suite_->Bearer("county_admin", "admin-national", claims);
  }
  std::string Officer() { return suite_->Bearer("county_officer", "handlaggare-1"); }
  std::string Kommun(const std::string& kommun) {
    integration::testing::Claims claims;
    claims.kommun = kommun;
    return suite_->Bearer("municipality_officer", "kommun-" + kommun, claims);
  }
  std::string Org(const std::string& orgnr) {
    integration::testing::Claims claims;
    claims.orgnr = orgnr;
    return suite_->Bearer("organisation_rep", "org-" + orgnr, claims);
  }
  std::string Agency() {
    integration::testing::Claims claims;
    claims.agency = "migrationsverket";
    claims.scopes = {"grants.funding.read"};
    return suite_->Bearer("agency_system", "system-migrationsverket", claims);
  }

  // Programme `id` and an OPEN call of it, made over gRPC.
  v1::Call OpenCall(const std::string& programme_id, const std::string& title) {
    v1::CreateProgrammeRequest create_programme;
    *create_programme.mutable_programme() = Programme(programme_id);
    create_programme.set_request_id(NewRequestId());
    v1::Programme programme;
    RpcResult r =
        Invoke(stub(), &Stub::CreateProgramme, NationalAdmin(), create_programme, &programme);
    EXPECT_TRUE(r.ok() || r.code() == ::grpc::StatusCode::ALREADY_EXISTS) << r.Describe();

    v1::CreateCallRequest create;
    *create.mutable_call() = CallOf("programmes/" + programme_id, title);
    create.set_request_id(NewRequestId());
    v1::Call draft;
    r = Invoke(stub(), &Stub::CreateCall, Admin(), create, &draft);
    EXPECT_TRUE(r.ok()) << r.Describe();
    EXPECT_EQ(draft.state(), v1::CALL_STATE_DRAFT);
    EXPECT_EQ(draft.lanskod(), kLan);

    v1::OpenCallRequest open;
    open.set_name(draft.name());
    open.set_request_id(NewRequestId());
    v1::Call opened;
    r = Invoke(stub(), &Stub::OpenCall, Admin(), open, &opened);
    EXPECT_TRUE(r.ok()) << r.Describe();
    EXPECT_EQ(opened.state(), v1::CALL_STATE_OPEN);
    return opened;
  }

  // A DRAFT application in `call` created over gRPC with `token`.
  v1::Application Draft(const std::string& call, const std::string& token,
                        const v1::Application& application) {
    v1::CreateApplicationRequest req;
    req.set_parent(call);
    *req.mutable_application() = application;
    req.set_request_id(NewRequestId());
    v1::Application created;
    RpcResult r = Invoke(stub(), &Stub::CreateApplication, token, req, &created);
    EXPECT_TRUE(r.ok()) << r.Describe();
    EXPECT_EQ(created.state(), v1::APPLICATION_STATE_DRAFT);
    return created;
  }

  // The anonymous ListCalls of open calls over gRPC: the call names and whether it was a hit.
  std::pair<std::vector<std::string>, std::string> OpenCallNames() {
    v1::ListCallsRequest req;
    req.set_state(v1::CALL_STATE_OPEN);
    req.set_page_size(500);
    v1::ListCallsResponse resp;
    RpcResult r = Invoke(stub(), &Stub::ListCalls, "", req, &resp);
    EXPECT_TRUE(r.ok()) << r.Describe();
    std::vector<std::string> names;
    for (const v1::Call& c : resp.calls()) names.push_back(c.name());
    return {names, r.Header("x-cache")};
  }

  // The actions of the application's audit trail, read by the officer over gRPC.
  std::vector<std::string> AuditActions(const std::string& application) {
    v1::ListAuditEventsRequest req;
    req.set_parent(application);
    req.set_page_size(1000);
    v1::ListAuditEventsResponse resp;
    RpcResult r = Invoke(stub(), &Stub::ListAuditEvents, Officer(), req, &resp);
    EXPECT_TRUE(r.ok()) << r.Describe();
    std::vector<std::string> actions;
    for (const v1::AuditEvent& e : resp.events()) {
      EXPECT_FALSE(e.actor().empty()) << e.DebugString();
      EXPECT_FALSE(e.role().empty()) << e.DebugString();
      actions.push_back(e.action());
    }
    return actions;
  }

  static std::unique_ptr<Suite> suite_;
  static std::string start_error_;
  std::shared_ptr<::grpc::Channel> channel_;
  std::unique_ptr<Stub> stub_;
};

std::unique_ptr<Suite> GrantsThroughGatewayTest::suite_;
std::string GrantsThroughGatewayTest::start_error_;

// The steps every lifecycle leaves in the application's audit trail, in order.
const std::vector<std::string> kLifecycleActions = {
    "application.create",  "application.submit", "review.create", "application.decide",
    "disbursement.create", "disbursement.pay",   "report.submit", "report.accept",
    "reclaim.raise",       "reclaim.settle"};

// The whole lifecycle over gRPC through the gateway: call opened by the administrator and seen
// by the public, application written and submitted by Uppsala kommun, reviewed, ranked and
// approved in part by the officer, paid, reported on, accepted below what was paid, the
// difference claimed back and settled; CheckFunding sees the decision; the audit trail has
// every step.
TEST_F(GrantsThroughGatewayTest, LifecycleOverGrpc) {
  const v1::Call call = OpenCall("kapacitet-grpc", "Kapacitet 2027 (gRPC)");
  EXPECT_THAT(OpenCallNames().first, ::testing::Contains(call.name()));

  // The kommun writes and submits; the diarienummer comes with the submission.
  const std::string kommun = Kommun(kKommunA);
  const v1::Application draft =
      Draft(call.name(), kommun, KommunApplication(kKommunA, "Beredskap för mottagande"));
  EXPECT_TRUE(draft.diarienummer().empty());
  EXPECT_EQ(draft.lanskod(), kLan);
  v1::SubmitApplicationRequest submit;
  submit.set_name(draft.name());
  submit.set_etag(draft.etag());
  submit.set_request_id(NewRequestId());
  v1::Application submitted;
  RpcResult r = Invoke(stub(), &Stub::SubmitApplication, kommun, submit, &submitted);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(submitted.state(), v1::APPLICATION_STATE_SUBMITTED);
  EXPECT_THAT(submitted.diarienummer(), MatchesRegex("851-[0-9]+-20[0-9][0-9]"));
  // A retry with the same request id returns the first answer.
  v1::Application retried;
  r = Invoke(stub(), &Stub::SubmitApplication, kommun, submit, &retried);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(retried.diarienummer(), submitted.diarienummer());

  // The officer reviews, ranks and approves 700 000 of the 800 000 kr.
  const std::string officer = Officer();
  v1::CreateReviewRequest review;
  review.set_parent(submitted.name());
  v1::CriterionScore* need = review.mutable_review()->add_scores();
  need->set_criterion_id("behov");
  need->set_score(4);
  need->set_comment("Tydligt behov");
  v1::CriterionScore* quality = review.mutable_review()->add_scores();
  quality->set_criterion_id("kvalitet");
  quality->set_score(3);
  quality->set_comment("Rimlig plan");
  review.set_request_id(NewRequestId());
  v1::Review reviewed;
  r = Invoke(stub(), &Stub::CreateReview, officer, review, &reviewed);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(reviewed.weighted_score_milli(), 3667);  // (4×2 + 3×1) / 3

  v1::RankApplicationsRequest rank;
  rank.set_parent(call.name());
  v1::RankApplicationsResponse ranking;
  r = Invoke(stub(), &Stub::RankApplications, officer, rank, &ranking);
  ASSERT_TRUE(r.ok()) << r.Describe();
  ASSERT_EQ(ranking.applications_size(), 1) << ranking.DebugString();
  EXPECT_EQ(ranking.applications(0).application(), submitted.name());
  EXPECT_EQ(ranking.applications(0).rank(), 1);
  EXPECT_EQ(ranking.applications(0).review_count(), 1);

  v1::DecideApplicationRequest decide;
  decide.set_name(submitted.name());
  decide.set_outcome(v1::DECISION_OUTCOME_PARTIALLY_APPROVED);
  decide.mutable_approved_amount()->set_ore(kApproved);
  decide.set_conditions("Lokalkostnader ersätts till hälften.");
  decide.set_request_id(NewRequestId());
  v1::Application decided;
  r = Invoke(stub(), &Stub::DecideApplication, officer, decide, &decided);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(decided.state(), v1::APPLICATION_STATE_DECIDED);
  EXPECT_EQ(decided.decision().outcome(), v1::DECISION_OUTCOME_PARTIALLY_APPROVED);
  EXPECT_EQ(decided.decision().approved_amount().ore(), kApproved);
  // The decider is named by the pseudonym of its subject, never the subject.
  EXPECT_EQ(decided.decision().decider(), suite_->Subject("handlaggare-1"));

  // Payment plan and payment.
  v1::CreateDisbursementRequest plan;
  plan.set_parent(decided.name());
  plan.mutable_disbursement()->mutable_amount()->set_ore(kApproved);
  *plan.mutable_disbursement()->mutable_scheduled_date() = Day(2027, 2, 15);
  plan.set_request_id(NewRequestId());
  v1::Disbursement scheduled;
  r = Invoke(stub(), &Stub::CreateDisbursement, officer, plan, &scheduled);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(scheduled.state(), v1::DISBURSEMENT_STATE_SCHEDULED);
  v1::PayDisbursementRequest pay;
  pay.set_name(scheduled.name());
  pay.set_payment_reference("LS-2027-0001");
  pay.set_request_id(NewRequestId());
  v1::Disbursement paid;
  r = Invoke(stub(), &Stub::PayDisbursement, officer, pay, &paid);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(paid.state(), v1::DISBURSEMENT_STATE_PAID);
  EXPECT_EQ(paid.payment_reference(), "LS-2027-0001");

  v1::GetApplicationRequest get;
  get.set_name(decided.name());
  v1::Application after_payment;
  r = Invoke(stub(), &Stub::GetApplication, kommun, get, &after_payment);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(after_payment.paid_amount().ore(), kApproved);

  // The programme's reports were created at the decision with their due dates: interim six
  // months after the start (2027-02-01), final two months after the end (2027-11-30).
  v1::ListReportsRequest list_reports;
  list_reports.set_parent(decided.name());
  v1::ListReportsResponse reports;
  r = Invoke(stub(), &Stub::ListReports, kommun, list_reports, &reports);
  ASSERT_TRUE(r.ok()) << r.Describe();
  ASSERT_EQ(reports.reports_size(), 2) << reports.DebugString();
  const v1::Report& interim = reports.reports(0);
  const v1::Report& final_report = reports.reports(1);
  EXPECT_EQ(interim.type(), v1::REPORT_TYPE_INTERIM);
  EXPECT_EQ(interim.due_date().SerializeAsString(), Day(2027, 8, 1).SerializeAsString());
  EXPECT_EQ(final_report.type(), v1::REPORT_TYPE_FINAL);
  EXPECT_EQ(final_report.due_date().SerializeAsString(), Day(2028, 1, 30).SerializeAsString());
  for (const v1::Report& report : reports.reports()) EXPECT_EQ(report.state(), v1::REPORT_STATE_DUE);

  // The kommun reports; the officer accepts the interim report and 500 000 kr of the 550 000
  // used according to the final one.
  for (const v1::Report& report : reports.reports()) {
    v1::SubmitReportRequest submit_report;
    submit_report.mutable_report()->set_name(report.name());
    submit_report.mutable_report()->mutable_used_amount()->set_ore(
        report.type() == v1::REPORT_TYPE_FINAL ? kUsed : 20'000'000);
    submit_report.mutable_report()->set_activities("Samordnare anställd, lokaler hyrda");
    submit_report.mutable_report()->set_outcomes("120 personer mottagna");
    submit_report.mutable_report()->mutable_participants()->set_women(52);
    submit_report.mutable_report()->mutable_participants()->set_men(61);
    submit_report.mutable_report()->mutable_participants()->set_other(7);
    submit_report.set_request_id(NewRequestId());
    v1::Report sent;
    r = Invoke(stub(), &Stub::SubmitReport, kommun, submit_report, &sent);
    ASSERT_TRUE(r.ok()) << r.Describe();
    EXPECT_EQ(sent.state(), v1::REPORT_STATE_SUBMITTED);

    v1::AcceptReportRequest accept;
    accept.set_name(report.name());
    if (report.type() == v1::REPORT_TYPE_FINAL) accept.mutable_accepted_amount()->set_ore(kAccepted);
    accept.set_comment("Godkänd");
    accept.set_request_id(NewRequestId());
    v1::Report accepted;
    r = Invoke(stub(), &Stub::AcceptReport, officer, accept, &accepted);
    ASSERT_TRUE(r.ok()) << r.Describe();
    EXPECT_EQ(accepted.state(), v1::REPORT_STATE_ACCEPTED);
    if (report.type() == v1::REPORT_TYPE_FINAL) {
      EXPECT_EQ(accepted.accepted_amount().ore(), kAccepted);
    }
  }

  // Accepted use below what was paid: the difference is claimed back and repaid.
  v1::RaiseReclaimRequest raise;
  raise.set_parent(decided.name());
  raise.mutable_reclaim()->set_reason(v1::RECLAIM_REASON_UNUSED_FUNDS);
  raise.mutable_reclaim()->set_comment("Outnyttjade medel");
  raise.set_request_id(NewRequestId());
  v1::Reclaim reclaim;
  r = Invoke(stub(), &Stub::RaiseReclaim, officer, raise, &reclaim);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(reclaim.state(), v1::RECLAIM_STATE_RAISED);
  EXPECT_EQ(reclaim.amount().ore(), kReclaimed);
  v1::SettleReclaimRequest settle;
  settle.set_name(reclaim.name());
  settle.mutable_settled_amount()->set_ore(kReclaimed);
  settle.set_payment_reference("ÅK-2027-0001");
  settle.set_request_id(NewRequestId());
  v1::Reclaim settled;
  r = Invoke(stub(), &Stub::SettleReclaim, officer, settle, &settled);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(settled.state(), v1::RECLAIM_STATE_SETTLED);
  EXPECT_EQ(settled.settled_amount().ore(), kReclaimed);

  // Another authority's system asks whether Uppsala kommun is funded during the project.
  v1::CheckFundingRequest funding;
  funding.set_kommunkod(kKommunA);
  funding.set_programme(call.programme());
  *funding.mutable_period()->mutable_start_date() = Day(2027, 3, 1);
  *funding.mutable_period()->mutable_end_date() = Day(2027, 10, 31);
  v1::CheckFundingResponse funded;
  r = Invoke(stub(), &Stub::CheckFunding, Agency(), funding, &funded);
  ASSERT_TRUE(r.ok()) << r.Describe();
  ASSERT_EQ(funded.decisions_size(), 1) << funded.DebugString();
  EXPECT_EQ(funded.decisions(0).application(), decided.name());
  EXPECT_EQ(funded.decisions(0).diarienummer(), submitted.diarienummer());
  EXPECT_EQ(funded.decisions(0).approved_amount().ore(), kApproved);
  EXPECT_EQ(funded.decisions(0).paid_amount().ore(), kApproved);
  EXPECT_TRUE(funded.decisions(0).covers_whole_period());
  EXPECT_TRUE(funded.period_covered());
  // Not funded in 2028.
  *funding.mutable_period()->mutable_start_date() = Day(2028, 1, 1);
  *funding.mutable_period()->mutable_end_date() = Day(2028, 6, 30);
  r = Invoke(stub(), &Stub::CheckFunding, Agency(), funding, &funded);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(funded.decisions_size(), 0) << funded.DebugString();
  EXPECT_FALSE(funded.period_covered());

  const std::vector<std::string> actions = AuditActions(decided.name());
  EXPECT_TRUE(InOrder(actions, kLifecycleActions)) << ::testing::PrintToString(actions);
  // The applicant reads its own trail too: all of it but the review.
  v1::ListAuditEventsRequest trail;
  trail.set_parent(decided.name());
  v1::ListAuditEventsResponse own;
  r = Invoke(stub(), &Stub::ListAuditEvents, kommun, trail, &own);
  ASSERT_TRUE(r.ok()) << r.Describe();
  std::vector<std::string> applicant_actions;
  for (const v1::AuditEvent& e : own.events()) applicant_actions.push_back(e.action());
  std::vector<std::string> without_reviews;
  for (const std::string& a : actions) {
    if (a != "review.create") without_reviews.push_back(a);
  }
  EXPECT_EQ(applicant_actions, without_reviews);
  EXPECT_LT(without_reviews.size(), actions.size());
}

// The same lifecycle over HTTP/JSON: the routes of the google.api.http rules, proto3 JSON
// bodies (the body field or "*"), path variables and canonical JSON answers.
TEST_F(GrantsThroughGatewayTest, LifecycleOverHttp) {
  const int port = http_port();
  const std::string admin = Admin();
  const std::string officer = Officer();
  const std::string kommun = Kommun(kKommunA);

  // The county's own programme: its admin needs no national scope.
  v1::Programme own_programme = Programme("kapacitet-http");
  own_programme.set_lanskod(kLan);
  HttpResult programme = Http(port, "POST", "/v1/programmes?requestId=" + NewRequestId(), admin,
                              ToJson(own_programme));
  ASSERT_EQ(programme.status, 200) << programme.Describe();
  EXPECT_EQ(programme.Json().fields().at("name").string_value(), "programmes/kapacitet-http");
  EXPECT_EQ(Http(port, "GET", "/v1/programmes/kapacitet-http").status, 200);  // public

  HttpResult created_call =
      Http(port, "POST", "/v1/calls?requestId=" + NewRequestId(), admin,
           ToJson(CallOf("programmes/kapacitet-http", "Kapacitet 2027 (HTTP)")));
  ASSERT_EQ(created_call.status, 200) << created_call.Describe();
  const v1::Call draft_call = FromJson<v1::Call>(created_call);
  EXPECT_EQ(created_call.Json().fields().at("state").string_value(), "CALL_STATE_DRAFT");
  EXPECT_EQ(created_call.Json().fields().at("budget").struct_value().fields().at("ore")
                .string_value(),
            "500000000");  // int64 as a string
  // A draft is not public.
  EXPECT_EQ(Http(port, "GET", "/v1/" + draft_call.name()).status, 404);
  HttpResult opened = Http(port, "POST", "/v1/" + draft_call.name() + ":open", admin,
                           R"({"requestId": ")" + NewRequestId() + R"("})");
  ASSERT_EQ(opened.status, 200) << opened.Describe();
  EXPECT_EQ(opened.Json().fields().at("state").string_value(), "CALL_STATE_OPEN");
  HttpResult public_call = Http(port, "GET", "/v1/" + draft_call.name());
  ASSERT_EQ(public_call.status, 200) << public_call.Describe();
  HttpResult open_calls = Http(port, "GET", "/v1/calls?state=CALL_STATE_OPEN&pageSize=500");
  ASSERT_EQ(open_calls.status, 200) << open_calls.Describe();
  EXPECT_THAT(open_calls.body, HasSubstr("\"" + draft_call.name() + "\""));

  // The application: body "application", request id in the query.
  HttpResult created = Http(port, "POST",
                            "/v1/" + draft_call.name() + "/applications?requestId=" + NewRequestId(),
                            kommun, ToJson(KommunApplication(kKommunA, "Mottagning över HTTP")));
  ASSERT_EQ(created.status, 200) << created.Describe();
  const v1::Application draft = FromJson<v1::Application>(created);
  EXPECT_EQ(created.Json().fields().at("state").string_value(), "APPLICATION_STATE_DRAFT");
  EXPECT_EQ(created.Header("cache-control"), "no-store");

  // A change of the draft through PATCH with an update mask in the query.
  HttpResult patched = Http(port, "PATCH", "/v1/" + draft.name() + "?updateMask=projectTitle",
                            kommun, R"({"projectTitle": "Mottagning och samordning"})");
  ASSERT_EQ(patched.status, 200) << patched.Describe();
  EXPECT_EQ(patched.Json().fields().at("projectTitle").string_value(),
            "Mottagning och samordning");

  HttpResult submitted = Http(port, "POST", "/v1/" + draft.name() + ":submit", kommun,
                              R"({"requestId": ")" + NewRequestId() + R"("})");
  ASSERT_EQ(submitted.status, 200) << submitted.Describe();
  const std::string diarienummer = submitted.Json().fields().at("diarienummer").string_value();
  EXPECT_THAT(diarienummer, MatchesRegex("851-[0-9]+-20[0-9][0-9]"));
  EXPECT_EQ(submitted.Json().fields().at("state").string_value(), "APPLICATION_STATE_SUBMITTED");

  HttpResult review = Http(port, "POST", "/v1/" + draft.name() + "/reviews", officer,
                           R"({"scores": [
                                 {"criterionId": "behov", "score": 5, "comment": "Stort behov"},
                                 {"criterionId": "kvalitet", "score": 2, "comment": "Oklar plan"}],
                               "comment": "Bör beviljas delvis"})");
  ASSERT_EQ(review.status, 200) << review.Describe();
  EXPECT_EQ(review.Json().fields().at("weightedScoreMilli").number_value(), 4000);
  HttpResult ranking = Http(port, "GET", "/v1/" + draft_call.name() + "/applications:rank",
                            officer);
  ASSERT_EQ(ranking.status, 200) << ranking.Describe();
  const v1::RankApplicationsResponse ranked = FromJson<v1::RankApplicationsResponse>(ranking);
  ASSERT_EQ(ranked.applications_size(), 1) << ranking.body;
  EXPECT_EQ(ranked.applications(0).diarienummer(), diarienummer);

  HttpResult decided = Http(port, "POST", "/v1/" + draft.name() + ":decide", officer,
                            absl::StrCat(R"({"outcome": "DECISION_OUTCOME_PARTIALLY_APPROVED",
                                            "approvedAmount": {"ore": ")",
                                         kApproved, R"("},
                                            "conditions": "Lokaler ersätts till hälften.",
                                            "requestId": ")",
                                         NewRequestId(), R"("})"));
  ASSERT_EQ(decided.status, 200) << decided.Describe();
  const v1::Application decision = FromJson<v1::Application>(decided);
  EXPECT_EQ(decision.decision().outcome(), v1::DECISION_OUTCOME_PARTIALLY_APPROVED);
  EXPECT_EQ(decision.decision().approved_amount().ore(), kApproved);

  HttpResult scheduled = Http(port, "POST", "/v1/" + draft.name() + "/disbursements", officer,
                              absl::StrCat(R"({"amount": {"ore": ")", kApproved,
                                           R"("}, "scheduledDate": {"year": 2027, "month": 2,
                                              "day": 15}})"));
  ASSERT_EQ(scheduled.status, 200) << scheduled.Describe();
  const v1::Disbursement instalment = FromJson<v1::Disbursement>(scheduled);
  HttpResult paid = Http(port, "POST", "/v1/" + instalment.name() + ":pay", officer,
                         R"({"paymentReference": "LS-2027-0002"})");
  ASSERT_EQ(paid.status, 200) << paid.Describe();
  EXPECT_EQ(paid.Json().fields().at("state").string_value(), "DISBURSEMENT_STATE_PAID");
  HttpResult plan = Http(port, "GET", "/v1/" + draft.name() + "/disbursements", kommun);
  ASSERT_EQ(plan.status, 200) << plan.Describe();
  EXPECT_EQ(FromJson<v1::ListDisbursementsResponse>(plan).disbursements_size(), 1);

  HttpResult listed_reports = Http(port, "GET", "/v1/" + draft.name() + "/reports", kommun);
  ASSERT_EQ(listed_reports.status, 200) << listed_reports.Describe();
  const v1::ListReportsResponse reports = FromJson<v1::ListReportsResponse>(listed_reports);
  ASSERT_EQ(reports.reports_size(), 2) << listed_reports.body;
  for (const v1::Report& report : reports.reports()) {
    const bool is_final = report.type() == v1::REPORT_TYPE_FINAL;
    // body "report": the path names it, the body holds the contents.
    HttpResult sent = Http(port, "POST", "/v1/" + report.name() + ":submit", kommun,
                           absl::StrCat(R"({"usedAmount": {"ore": ")",
                                        is_final ? kUsed : 20'000'000, R"("},
                                           "activities": "Samordnare anställd",
                                           "outcomes": "120 personer mottagna",
                                           "participants": {"women": 52, "men": 61,
                                                            "other": 7}})"));
    ASSERT_EQ(sent.status, 200) << sent.Describe();
    EXPECT_EQ(sent.Json().fields().at("state").string_value(), "REPORT_STATE_SUBMITTED");
    const std::string accept_body =
        is_final ? absl::StrCat(R"({"acceptedAmount": {"ore": ")", kAccepted, R"("}})") : "{}";
    HttpResult accepted =
        Http(port, "POST", "/v1/" + report.name() + ":accept", officer, accept_body);
    ASSERT_EQ(accepted.status, 200) << accepted.Describe();
    EXPECT_EQ(accepted.Json().fields().at("state").string_value(), "REPORT_STATE_ACCEPTED");
  }
  // Reports come by due date: the final one last.
  HttpResult report = Http(port, "GET", "/v1/" + reports.reports(1).name(), kommun);
  ASSERT_EQ(report.status, 200) << report.Describe();
  EXPECT_EQ(FromJson<v1::Report>(report).type(), v1::REPORT_TYPE_FINAL);
  EXPECT_EQ(FromJson<v1::Report>(report).accepted_amount().ore(), kAccepted);

  HttpResult raised = Http(port, "POST", "/v1/" + draft.name() + "/reclaims", officer,
                           R"({"reason": "RECLAIM_REASON_UNUSED_FUNDS",
                               "comment": "Outnyttjade medel"})");
  ASSERT_EQ(raised.status, 200) << raised.Describe();
  const v1::Reclaim reclaim = FromJson<v1::Reclaim>(raised);
  EXPECT_EQ(reclaim.amount().ore(), kReclaimed);
  HttpResult settled = Http(port, "POST", "/v1/" + reclaim.name() + ":settle", officer,
                            absl::StrCat(R"({"settledAmount": {"ore": ")", kReclaimed,
                                         R"("}, "paymentReference": "ÅK-2027-0002"})"));
  ASSERT_EQ(settled.status, 200) << settled.Describe();
  EXPECT_EQ(settled.Json().fields().at("state").string_value(), "RECLAIM_STATE_SETTLED");
  HttpResult reclaims = Http(port, "GET", "/v1/" + draft.name() + "/reclaims", kommun);
  ASSERT_EQ(reclaims.status, 200) << reclaims.Describe();
  EXPECT_EQ(FromJson<v1::ListReclaimsResponse>(reclaims).reclaims_size(), 1);

  // CheckFunding from the query: the oneof applicant, the programme and the nested period.
  HttpResult funding = Http(
      port, "GET",
      "/v1/funding:check?kommunkod=0380&programme=programmes/kapacitet-http"
      "&period.startDate.year=2027&period.startDate.month=2&period.startDate.day=1"
      "&period.endDate.year=2027&period.endDate.month=11&period.endDate.day=30",
      Agency());
  ASSERT_EQ(funding.status, 200) << funding.Describe();
  const v1::CheckFundingResponse funded = FromJson<v1::CheckFundingResponse>(funding);
  ASSERT_EQ(funded.decisions_size(), 1) << funding.body;
  EXPECT_EQ(funded.decisions(0).diarienummer(), diarienummer);
  EXPECT_TRUE(funded.period_covered());

  HttpResult trail = Http(port, "GET", "/v1/" + draft.name() + "/auditEvents", officer);
  ASSERT_EQ(trail.status, 200) << trail.Describe();
  const v1::ListAuditEventsResponse events = FromJson<v1::ListAuditEventsResponse>(trail);
  std::vector<std::string> actions;
  for (const v1::AuditEvent& e : events.events()) {
    actions.push_back(e.action());
  }
  std::vector<std::string> expected = kLifecycleActions;
  expected.insert(expected.begin() + 1, "application.update");
  EXPECT_TRUE(InOrder(actions, expected)) << ::testing::PrintToString(actions);

  HttpResult statistics = Http(port, "GET", "/v1/" + draft_call.name() + "/statistics", officer);
  ASSERT_EQ(statistics.status, 200) << statistics.Describe();
  const v1::GrantStatistics figures = FromJson<v1::GrantStatistics>(statistics);
  EXPECT_EQ(figures.totals().applications(), 1);
  EXPECT_EQ(figures.totals().approved().ore(), kApproved);
  EXPECT_EQ(figures.totals().paid().ore(), kApproved);
  EXPECT_EQ(figures.totals().reclaimed().ore(), kReclaimed);
}

// Open calls are public and cacheable: the second identical anonymous read is a hit on both
// fronts, and closing a call (its lansstyrelsen.integration.grants.v1.CallChangedEvent event,
// published by the outbox relay to Redis) invalidates the cached answers well before their 30 s
// TTL.
TEST_F(GrantsThroughGatewayTest, OpenCallsAreCachedUntilCallChanged) {
  const v1::Call staying = OpenCall("kapacitet-cache", "Kapacitet (ligger kvar)");
  const v1::Call closing = OpenCall("kapacitet-cache", "Kapacitet (stängs)");

  v1::GetCallRequest get;
  get.set_name(closing.name());
  auto get_call = [&] {
    v1::Call c;
    RpcResult r = Invoke(stub(), &Stub::GetCall, "", get, &c);
    EXPECT_TRUE(r.ok()) << r.Describe();
    return std::make_pair(c, r.Header("x-cache"));
  };
  const std::string http_target = "/v1/calls?state=CALL_STATE_OPEN&pageSize=500";

  // The writes above publish events of their own, each bumping the cache generation once the
  // gateway sees it: wait until the relay has published them all, then until repeated reads on
  // both fronts are hits (retried as a whole: an event consumed between two reads makes the
  // second one a correct miss).
  ASSERT_TRUE(
      gateway::testing::WaitFor([&] { return suite().OutboxDrained("grants"); }, absl::Seconds(10)));
  std::string cache_trace;
  const bool cached_everywhere = gateway::testing::WaitFor(
      [&] {
        OpenCallNames();
        const std::string list_cache = OpenCallNames().second;
        get_call();
        const std::string get_cache = get_call().second;
        Http(http_port(), "GET", http_target);
        HttpResult http_hit = Http(http_port(), "GET", http_target);
        cache_trace = absl::StrCat("ListCalls ", list_cache, ", GetCall ", get_cache, ", GET ",
                                   http_target, " ", http_hit.status, " ",
                                   http_hit.Header("x-cache"));
        return list_cache == "hit" && get_cache == "hit" && http_hit.status == 200 &&
               http_hit.Header("x-cache") == "hit" &&
               http_hit.body.find("\"" + closing.name() + "\"") != std::string::npos;
      },
      absl::Seconds(10));
  ASSERT_TRUE(cached_everywhere) << "last round: " << cache_trace;
  EXPECT_THAT(OpenCallNames().first, IsSupersetOf({staying.name(), closing.name()}));

  v1::CloseCallRequest close;
  close.set_name(closing.name());
  close.set_request_id(NewRequestId());
  v1::Call closed;
  RpcResult r = Invoke(stub(), &Stub::CloseCall, Admin(), close, &closed);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(closed.state(), v1::CALL_STATE_CLOSED);

  // Fresh answers on both fronts once the event is in.
  EXPECT_TRUE(gateway::testing::WaitFor(
      [&] {
        const std::vector<std::string> names = OpenCallNames().first;
        return std::find(names.begin(), names.end(), closing.name()) == names.end();
      },
      absl::Seconds(15)))
      << "the cached ListCalls still shows the closed call";
  EXPECT_THAT(OpenCallNames().first, ::testing::Contains(staying.name()));
  EXPECT_TRUE(gateway::testing::WaitFor(
      [&] { return get_call().first.state() == v1::CALL_STATE_CLOSED; }, absl::Seconds(15)));
  EXPECT_TRUE(gateway::testing::WaitFor(
      [&] {
        return Http(http_port(), "GET", http_target).body.find("\"" + closing.name() + "\"") ==
               std::string::npos;
      },
      absl::Seconds(15)));

  // It was the service's CallChanged event for that call.
  absl::StatusOr<std::vector<Suite::PublishedEvent>> events = suite().PublishedEvents("grants");
  ASSERT_TRUE(events.ok()) << events.status();
  bool seen = false;
  for (const Suite::PublishedEvent& e : *events) {
    seen = seen || (e.type == "lansstyrelsen.integration.grants.v1.CallChangedEvent" &&
                    e.aggregate == closing.name());
  }
  EXPECT_TRUE(seen) << "no lansstyrelsen.integration.grants.v1.CallChangedEvent for "
                    << closing.name();
}

// Tenant isolation, decided by the service on the stored records: Uppsala kommun's token on
// Enköping's application is answered as if it did not exist (404 NOT_FOUND
// APPLICATION_NOT_FOUND, so ids cannot be probed) on both fronts for Get, Update and Submit,
// and its lists hold only its own applications; an association cannot see another's.
TEST_F(GrantsThroughGatewayTest, TenantIsolationOnBothFronts) {
  const v1::Call call = OpenCall("kapacitet-tenant", "Kapacitet (hyresgäster)");
  const std::string a = Kommun(kKommunA);
  const std::string b = Kommun(kKommunB);
  const v1::Application own = Draft(call.name(), a, KommunApplication(kKommunA, "Uppsalas"));
  const v1::Application other = Draft(call.name(), b, KommunApplication(kKommunB, "Enköpings"));

  v1::GetApplicationRequest get;
  get.set_name(other.name());
  v1::Application read;
  RpcResult r = Invoke(stub(), &Stub::GetApplication, a, get, &read);
  EXPECT_EQ(r.code(), ::grpc::StatusCode::NOT_FOUND) << r.Describe();
  EXPECT_EQ(r.Reason(), "APPLICATION_NOT_FOUND");

  v1::UpdateApplicationRequest update;
  update.mutable_application()->set_name(other.name());
  update.mutable_application()->set_project_title("Kapat");
  update.mutable_update_mask()->add_paths("project_title");
  v1::Application changed;
  r = Invoke(stub(), &Stub::UpdateApplication, a, update, &changed);
  EXPECT_EQ(r.code(), ::grpc::StatusCode::NOT_FOUND) << r.Describe();
  EXPECT_EQ(r.Reason(), "APPLICATION_NOT_FOUND");

  v1::SubmitApplicationRequest submit;
  submit.set_name(other.name());
  submit.set_request_id(NewRequestId());
  v1::Application submitted;
  r = Invoke(stub(), &Stub::SubmitApplication, a, submit, &submitted);
  EXPECT_EQ(r.code(), ::grpc::StatusCode::NOT_FOUND) << r.Describe();
  EXPECT_EQ(r.Reason(), "APPLICATION_NOT_FOUND");

  const std::vector<std::pair<std::string, HttpResult>> http = {
      {"get", Http(http_port(), "GET", "/v1/" + other.name(), a)},
      {"update", Http(http_port(), "PATCH", "/v1/" + other.name() + "?updateMask=projectTitle", a,
                      R"({"projectTitle": "Kapat"})")},
      {"submit", Http(http_port(), "POST", "/v1/" + other.name() + ":submit", a,
                      R"({"requestId": ")" + NewRequestId() + R"("})")},
  };
  for (const auto& [what, result] : http) {
    EXPECT_EQ(result.status, 404) << what << ": " << result.Describe();
    EXPECT_EQ(result.Reason(), "APPLICATION_NOT_FOUND") << what << ": " << result.Describe();
    EXPECT_EQ(result.Json().fields().at("code").number_value(), 5) << what;  // NOT_FOUND
  }

  // Nothing changed: Enköping's draft is as it was.
  r = Invoke(stub(), &Stub::GetApplication, b, get, &read);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(read.project_title(), "Enköpings");
  EXPECT_EQ(read.state(), v1::APPLICATION_STATE_DRAFT);

  // Lists hold only the caller's own, for one call and for every call ("calls/-").
  for (const std::string& parent : {call.name(), std::string("calls/-")}) {
    v1::ListApplicationsRequest list;
    list.set_parent(parent);
    list.set_page_size(500);
    v1::ListApplicationsResponse listed;
    r = Invoke(stub(), &Stub::ListApplications, a, list, &listed);
    ASSERT_TRUE(r.ok()) << r.Describe();
    std::vector<std::string> names;
    for (const v1::Application& app : listed.applications()) {
      EXPECT_EQ(app.applicant().kommunkod(), kKommunA) << parent << ": " << app.name();
      names.push_back(app.name());
    }
    EXPECT_THAT(names, ::testing::Contains(own.name())) << parent;
    EXPECT_THAT(names, ::testing::Not(::testing::Contains(other.name()))) << parent;

    HttpResult http_list = Http(http_port(), "GET", "/v1/" + parent + "/applications", a);
    ASSERT_EQ(http_list.status, 200) << http_list.Describe();
    EXPECT_THAT(http_list.body, HasSubstr("\"" + own.name() + "\"")) << parent;
    EXPECT_THAT(http_list.body, ::testing::Not(HasSubstr("\"" + other.name() + "\""))) << parent;
  }

  // An association's application is invisible to another association.
  const v1::Application association = Draft(call.name(), Org(kOrgA), OrganisationApplication(kOrgA));
  v1::GetApplicationRequest get_association;
  get_association.set_name(association.name());
  r = Invoke(stub(), &Stub::GetApplication, Org(kOrgB), get_association, &read);
  EXPECT_EQ(r.code(), ::grpc::StatusCode::NOT_FOUND) << r.Describe();
  EXPECT_EQ(r.Reason(), "APPLICATION_NOT_FOUND");
  HttpResult http_other_org = Http(http_port(), "GET", "/v1/" + association.name(), Org(kOrgB));
  EXPECT_EQ(http_other_org.status, 404) << http_other_org.Describe();
  v1::ListApplicationsRequest list;
  list.set_parent(call.name());
  v1::ListApplicationsResponse listed;
  r = Invoke(stub(), &Stub::ListApplications, Org(kOrgB), list, &listed);
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_EQ(listed.applications_size(), 0) << listed.DebugString();
  // The association itself, and the county's officer, do see it.
  EXPECT_TRUE(Invoke(stub(), &Stub::GetApplication, Org(kOrgA), get_association, &read).ok());
  EXPECT_EQ(Http(http_port(), "GET", "/v1/" + association.name(), Officer()).status, 200);
  // An officer of another county does not.
  const std::string foreign = suite().Bearer("county_officer", "officer-skane", kOtherLan);
  r = Invoke(stub(), &Stub::GetApplication, foreign, get_association, &read);
  EXPECT_EQ(r.code(), ::grpc::StatusCode::NOT_FOUND) << r.Describe();
  EXPECT_EQ(r.Reason(), "APPLICATION_NOT_FOUND");
}

// GetRegionalOverview of the gateway now has a grants section: the officer's county figures
// (GetGrantStatistics on the officer's behalf) with status OK, beside the training section.
TEST_F(GrantsThroughGatewayTest, RegionalOverviewHasGrantsSection) {
  auto gateway_stub = gw::GatewayService::NewStub(channel_);
  gw::GetRegionalOverviewRequest req;
  req.set_section_timeout_ms(5000);
  gw::RegionalOverview overview;
  RpcResult r = Invoke(*gateway_stub, &gw::GatewayService::Stub::GetRegionalOverview, Officer(),
                       req, &overview);
  ASSERT_TRUE(r.ok()) << r.Describe();
  const gw::Section* grants = nullptr;
  for (const gw::Section& s : overview.sections()) {
    if (s.service() == "grants") grants = &s;
    if (s.service() == "training") {
      EXPECT_EQ(s.status(), gw::SECTION_STATUS_OK) << s.DebugString();
    }
  }
  ASSERT_NE(grants, nullptr) << overview.DebugString();
  EXPECT_EQ(grants->status(), gw::SECTION_STATUS_OK) << grants->DebugString();
  EXPECT_EQ(grants->method(), "lansstyrelsen.integration.grants.v1.GrantsService/GetGrantStatistics");
  v1::GrantStatistics figures;
  ASSERT_TRUE(grants->figures().UnpackTo(&figures)) << grants->DebugString();
  EXPECT_EQ(figures.scope(), absl::StrCat("lan/", kLan));

  HttpResult http = Http(http_port(), "GET", "/v1/regionalOverview", Officer());
  ASSERT_EQ(http.status, 200) << http.Describe();
  EXPECT_THAT(http.body, HasSubstr("GrantsService/GetGrantStatistics"));
  EXPECT_THAT(http.body, HasSubstr("type.googleapis.com/lansstyrelsen.integration.grants.v1."
                                   "GrantStatistics"));
}

// Control characters in text are refused on both fronts with the field named, and nothing is
// stored: a NUL once cut a project title short and the call answered OK. Line breaks are kept
// where the field is running text (the project description).
TEST_F(GrantsThroughGatewayTest, ControlCharactersInTextAreRefusedOnBothFronts) {
  const v1::Call call = OpenCall("kontrolltecken", "Kontrolltecken 2027");
  const std::string kommun = Kommun(kKommunA);
  auto count = [&] {
    v1::ListApplicationsRequest list;
    list.set_parent(call.name());
    list.set_page_size(500);
    v1::ListApplicationsResponse listed;
    RpcResult r = Invoke(stub(), &Stub::ListApplications, Officer(), list, &listed);
    EXPECT_TRUE(r.ok()) << r.Describe();
    return listed.applications_size();
  };

  HttpResult http = Http(
      http_port(), "POST", "/v1/" + call.name() + "/applications?requestId=" + NewRequestId(),
      kommun,
      absl::StrCat(R"({"applicant": {"type": "APPLICANT_TYPE_KOMMUN", "kommunkod": ")", kKommunA,
                   R"("}, "projectTitle": "a\u0000b"})"));
  EXPECT_EQ(http.status, 400) << http.Describe();
  EXPECT_EQ(http.Reason(), "INVALID_FIELD");
  EXPECT_THAT(http.Fields(), ::testing::ElementsAre("application.project_title"));

  v1::CreateApplicationRequest req;
  req.set_parent(call.name());
  *req.mutable_application() = KommunApplication(kKommunA, "Tabbar\tär inte rubriker");
  req.mutable_application()->set_description("Rad ett\nRad två" + std::string(1, '\0'));
  req.set_request_id(NewRequestId());
  v1::Application created;
  RpcResult rpc = Invoke(stub(), &Stub::CreateApplication, kommun, req, &created);
  EXPECT_EQ(rpc.code(), ::grpc::StatusCode::INVALID_ARGUMENT) << rpc.Describe();
  EXPECT_THAT(rpc.Fields(), ::testing::ElementsAre("application.project_title",
                                                   "application.description"));
  EXPECT_EQ(count(), 0);

  // Without the NUL and the tab: the description keeps its line break.
  req.mutable_application()->set_project_title("Utan kontrolltecken");
  req.mutable_application()->set_description("Rad ett\nRad två");
  req.set_request_id(NewRequestId());
  rpc = Invoke(stub(), &Stub::CreateApplication, kommun, req, &created);
  ASSERT_TRUE(rpc.ok()) << rpc.Describe();
  EXPECT_EQ(created.description(), "Rad ett\nRad två");
  EXPECT_EQ(count(), 1);
}

}  // namespace
}  // namespace integration::e2e
