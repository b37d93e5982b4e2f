// Applications through the real server and PostgreSQL: drafts by a kommun or an organisation in
// an open call, every rejection of the rules (tenant, applicant type, eligibility, budget sum,
// maximum, funding period, partners, co-applicants), update with etag and mask, submission with
// a diarienummer while the call is open, withdrawal, request ids, tenant isolation of reads and
// lists, audit rows and lansstyrelsen.integration.grants.v1.ApplicationSubmittedEvent events only
// for committed submissions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "grants_test_env.h"
#include "lansstyrelsen/integration/grants/v1/events.pb.h"

namespace integration::grants::testing {
namespace {

namespace typev1 = ::lansstyrelsen::integration::type::v1;

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kRequestId[] = "4c3b2a19-0f8e-4d7c-a6b5-948372615a0b";

typev1::Date D(int y, int m, int d) {
  typev1::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

class ApplicationTest : public GrantsTest {
 protected:
  void SetUp() override {
    GrantsTest::SetUp();
    env().SeedDemoProgrammes();
    SeedCallSpec spec;
    spec.programme_id = "guider";  // § 37 a: kommuner only
    guider_call_ = env().SeedCall(spec);
    spec.programme_id = "tia";  // associations, faith communities, study associations, kommuner
    tia_call_ = env().SeedCall(spec);
  }

  // A complete application of kommun `kommun` (funding period of the seeded calls: 2027).
  static v1::Application KommunApplication(const std::string& kommun = kKommunA) {
    v1::Application a;
    a.mutable_applicant()->set_kommunkod(kommun);
    a.mutable_applicant()->set_type(v1::APPLICANT_TYPE_KOMMUN);
    a.mutable_applicant()->set_display_name("Kommunen");
    a.set_project_title("Flyktingguider");
    a.set_description("Guider som möter nyanlända");
    *a.mutable_project_period()->mutable_start_date() = D(2027, 2, 1);
    *a.mutable_project_period()->mutable_end_date() = D(2027, 11, 30);
    v1::BudgetLine* l1 = a.add_budget_lines();
    l1->set_category(v1::BUDGET_CATEGORY_PERSONNEL);
    l1->set_description("Samordnare");
    l1->mutable_amount()->set_ore(1'500'000);
    v1::BudgetLine* l2 = a.add_budget_lines();
    l2->set_category(v1::BUDGET_CATEGORY_MATERIALS);
    l2->set_description("Material");
    l2->mutable_amount()->set_ore(250'050);
    a.mutable_requested_amount()->set_ore(1'750'050);
    return a;
  }

  static v1::Application OrgApplication(const std::string& orgnr, v1::ApplicantType type) {
    v1::Application a = KommunApplication();
    a.mutable_applicant()->set_organisationsnummer(orgnr);
    a.mutable_applicant()->set_type(type);
    a.mutable_applicant()->set_display_name("Föreningen");
    return a;
  }

  ::grpc::Status Create(const std::string& token, int64_t call_id, const v1::Application& app,
                        v1::Application* out, const std::string& request_id = "") {
    v1::CreateApplicationRequest req;
    req.set_parent(absl::StrCat("calls/", call_id));
    *req.mutable_application() = app;
    req.set_request_id(request_id);
    return env().Call(&Stub::CreateApplication, token, req, out);
  }

  // A draft of kommun A in the guider call.
  v1::Application Draft(const std::string& kommun = kKommunA) {
    v1::Application out;
    ::grpc::Status st =
        Create(env().KommunToken(kommun), guider_call_, KommunApplication(kommun), &out);
    EXPECT_TRUE(st.ok()) << Describe(st);
    return out;
  }

  ::grpc::Status Submit(const std::string& token, const std::string& name, v1::Application* out,
                        const std::string& request_id = "", const std::string& etag = "") {
    v1::SubmitApplicationRequest req;
    req.set_name(name);
    req.set_etag(etag);
    req.set_request_id(request_id);
    return env().Call(&Stub::SubmitApplication, token, req, out);
  }

  ::grpc::Status Withdraw(const std::string& token, const std::string& name, v1::Application* out,
                          const std::string& reason = "") {
    v1::WithdrawApplicationRequest req;
    req.set_name(name);
    req.set_reason(reason);
    return env().Call(&Stub::WithdrawApplication, token, req, out);
  }

  ::grpc::Status Get(const std::string& token, const std::string& name, v1::Application* out) {
    v1::GetApplicationRequest req;
    req.set_name(name);
    return env().Call(&Stub::GetApplication, token, req, out);
  }

  // Names of every application the token lists under `parent`, page by page.
  std::vector<std::string> List(const std::string& token, v1::ListApplicationsRequest req,
                                int page_size = 2) {
    std::vector<std::string> names;
    req.set_page_size(page_size);
    for (int page = 0; page < 50; ++page) {
      v1::ListApplicationsResponse resp;
      ::grpc::Status st = env().Call(&Stub::ListApplications, token, req, &resp);
      EXPECT_TRUE(st.ok()) << Describe(st);
      if (!st.ok()) break;
      for (const v1::Application& a : resp.applications()) names.push_back(a.name());
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return names;
  }

  int64_t SubmittedEvents() {
    return env().Count(
        "SELECT count(*) FROM outbox WHERE event_type = "
        "'lansstyrelsen.integration.grants.v1.ApplicationSubmittedEvent'");
  }

  std::string State(const std::string& name) {
    const std::string id = name.substr(name.rfind('/') + 1);
    pqxx::result r = env().Query("SELECT state FROM applications WHERE application_id = " + id);
    return r.empty() ? "" : r[0][0].as<std::string>();
  }

  static int StockholmYear(absl::Time t) {
    absl::TimeZone zone;
    EXPECT_TRUE(absl::LoadTimeZone("Europe/Stockholm", &zone));
    return static_cast<int>(absl::ToCivilYear(t, zone).year());
  }

  int64_t guider_call_ = 0;
  int64_t tia_call_ = 0;
};

// ---- Create -----------------------------------------------------------------------------------

TEST_F(ApplicationTest, KommunCreatesADraft) {
  v1::Application a = Draft();
  EXPECT_EQ(a.name().rfind(absl::StrCat("calls/", guider_call_, "/applications/"), 0), 0u);
  EXPECT_EQ(a.state(), v1::APPLICATION_STATE_DRAFT);
  EXPECT_EQ(a.applicant().kommunkod(), kKommunA);
  EXPECT_EQ(a.lanskod(), kTestLan);
  EXPECT_EQ(a.requested_amount().ore(), 1'750'050);
  EXPECT_EQ(a.budget_lines_size(), 2);
  EXPECT_TRUE(a.diarienummer().empty());
  EXPECT_FALSE(a.etag().empty());
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'application.create' AND "
                        "resource = '" +
                        a.name() + "' AND role = 'municipality_officer'"),
            1);
  EXPECT_EQ(SubmittedEvents(), 0);
}

TEST_F(ApplicationTest, OrganisationCreatesWithNormalisedNumbers) {
  v1::Application app = OrgApplication("8024001235", v1::APPLICANT_TYPE_NON_PROFIT_ASSOCIATION);
  v1::Partner* p = app.add_partners();
  p->set_organisationsnummer("8025004568");
  p->set_display_name("Studieförbundet");
  p->set_role("Kurser");
  v1::Application out;
  ::grpc::Status st = Create(env().OrgToken(kOrgAssociation), tia_call_, app, &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.applicant().organisationsnummer(), kOrgAssociation);
  EXPECT_EQ(out.applicant().type(), v1::APPLICANT_TYPE_NON_PROFIT_ASSOCIATION);
  ASSERT_EQ(out.partners_size(), 1);
  EXPECT_EQ(out.partners(0).organisationsnummer(), kOrgAssociation2);
}

TEST_F(ApplicationTest, ApplicantMustBeTheCallersOwnKommunOrOrganisation) {
  v1::Application out;
  ::grpc::Status st =
      Create(env().KommunToken(kKommunA), guider_call_, KommunApplication(kKommunB), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(st), "TENANT_MISMATCH");
  st = Create(env().OrgToken(kOrgAssociation2), tia_call_,
              OrgApplication(kOrgAssociation, v1::APPLICANT_TYPE_NON_PROFIT_ASSOCIATION), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(st), "TENANT_MISMATCH");
  st = Create(env().OrgToken(kOrgAssociation), tia_call_, KommunApplication(), &out);
  EXPECT_EQ(ReasonOf(st), "TENANT_MISMATCH");
  st = Create(env().OfficerToken(), guider_call_, KommunApplication(), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(env().Count("SELECT count(*) FROM applications"), 0);
}

TEST_F(ApplicationTest, ApplicantTypeMustAgreeWithTheIdentifier) {
  v1::Application out;
  ::grpc::Status st = Create(env().OrgToken(kOrgAssociation), tia_call_,
                             OrgApplication(kOrgAssociation, v1::APPLICANT_TYPE_COMPANY), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "APPLICANT_TYPE_MISMATCH");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("application.applicant.type"));
  v1::Application k = KommunApplication();
  k.mutable_applicant()->set_type(v1::APPLICANT_TYPE_FAITH_COMMUNITY);
  st = Create(env().KommunToken(), guider_call_, k, &out);
  EXPECT_EQ(ReasonOf(st), "APPLICANT_TYPE_MISMATCH");
}

TEST_F(ApplicationTest, ProgrammeEligibility) {
  v1::Application out;
  // § 37 a: kommuner only.
  ::grpc::Status st =
      Create(env().OrgToken(kOrgAssociation), guider_call_,
             OrgApplication(kOrgAssociation, v1::APPLICANT_TYPE_NON_PROFIT_ASSOCIATION), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "APPLICANT_NOT_ELIGIBLE");
  EXPECT_EQ(MetadataOf(st)["programme"], "programmes/guider");
  // TIA: no companies, no foundations.
  st = Create(env().OrgToken(kOrgCompany), tia_call_,
              OrgApplication(kOrgCompany, v1::APPLICANT_TYPE_COMPANY), &out);
  EXPECT_EQ(ReasonOf(st), "APPLICANT_NOT_ELIGIBLE");
  st = Create(env().OrgToken(kOrgAssociation), tia_call_,
              OrgApplication(kOrgAssociation, v1::APPLICANT_TYPE_FOUNDATION), &out);
  EXPECT_EQ(ReasonOf(st), "APPLICANT_NOT_ELIGIBLE");
  st = Create(env().OrgToken(kOrgAssociation), tia_call_,
              OrgApplication(kOrgAssociation, v1::APPLICANT_TYPE_FAITH_COMMUNITY), &out);
  EXPECT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(env().Count("SELECT count(*) FROM applications"), 1);
}

TEST_F(ApplicationTest, BudgetLinesMustSumToTheRequestedAmount) {
  v1::Application app = KommunApplication();
  app.mutable_requested_amount()->set_ore(1'750'000);
  v1::Application out;
  ::grpc::Status st = Create(env().KommunToken(), guider_call_, app, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "BUDGET_LINES_SUM_MISMATCH");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("application.requested_amount"));
  EXPECT_EQ(MetadataOf(st)["budget_lines_sum_ore"], "1750050");
  EXPECT_EQ(MetadataOf(st)["requested_amount_ore"], "1750000");
}

TEST_F(ApplicationTest, InvalidFieldsAreNamed) {
  v1::Application app = KommunApplication();
  app.mutable_budget_lines(1)->clear_category();
  app.mutable_budget_lines(1)->mutable_amount()->set_ore(0);
  v1::Partner* p = app.add_partners();
  p->set_organisationsnummer("802400-1234");  // bad check digit
  p->set_display_name("X");
  app.add_co_applicant_kommuner(kKommunA);  // the applicant itself
  app.add_co_applicant_kommuner("0399");    // not a kommun
  v1::Application out;
  ::grpc::Status st = Create(env().KommunToken(), guider_call_, app, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_INVALID");
  EXPECT_THAT(
      ViolationFieldsOf(st),
      ElementsAre("application.budget_lines[1].category", "application.budget_lines[1].amount",
                  "application.partners[0].organisationsnummer",
                  "application.co_applicant_kommuner[0]", "application.co_applicant_kommuner[1]"));
}

TEST_F(ApplicationTest, RequestedAmountAtMostTheCallsMaximum) {
  SeedCallSpec spec;
  spec.programme_id = "guider";
  spec.max_ore = 1'750'049;
  const int64_t small_call = env().SeedCall(spec);
  v1::Application out;
  ::grpc::Status st = Create(env().KommunToken(), small_call, KommunApplication(), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "REQUESTED_ABOVE_MAXIMUM");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("application.requested_amount"));
  EXPECT_EQ(MetadataOf(st)["max_amount_per_application_ore"], "1750049");
}

TEST_F(ApplicationTest, ProjectPeriodInsideTheFundingPeriod) {
  v1::Application app = KommunApplication();
  *app.mutable_project_period()->mutable_end_date() = D(2028, 6, 30);
  v1::Application out;
  ::grpc::Status st = Create(env().KommunToken(), guider_call_, app, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ReasonOf(st), "PERIOD_OUTSIDE_FUNDING_PERIOD");
  EXPECT_EQ(st.error_message(),
            "project period ends 2028-06-30, after the call's funding period (ends 2027-12-31)");
  EXPECT_EQ(MetadataOf(st)["funding_period_end"], "2027-12-31");
  EXPECT_THAT(ViolationFieldsOf(st), ElementsAre("application.project_period.end_date"));
}

TEST_F(ApplicationTest, OnlyOpenCallsTakeDrafts) {
  SeedCallSpec spec;
  spec.programme_id = "guider";
  spec.state = "DRAFT";
  const int64_t draft_call = env().SeedCall(spec);
  spec.state = "CLOSED";
  const int64_t closed_call = env().SeedCall(spec);
  spec.state = "OPEN";
  spec.close_offset = absl::Hours(-1);  // past its close time
  const int64_t expired_call = env().SeedCall(spec);
  v1::Application out;
  ::grpc::Status st = Create(env().KommunToken(), draft_call, KommunApplication(), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);  // an applicant cannot see drafts
  st = Create(env().KommunToken(), closed_call, KommunApplication(), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "CALL_NOT_OPEN");
  st = Create(env().KommunToken(), expired_call, KommunApplication(), &out);
  EXPECT_EQ(ReasonOf(st), "CALL_NOT_OPEN");
  EXPECT_EQ(env().Count("SELECT count(*) FROM applications"), 0);
}

TEST_F(ApplicationTest, CreateRequestIdReplaysAndRejectsReuse) {
  v1::Application first, again;
  ASSERT_TRUE(
      Create(env().KommunToken(), guider_call_, KommunApplication(), &first, kRequestId).ok());
  ::grpc::Status st =
      Create(env().KommunToken(), guider_call_, KommunApplication(), &again, kRequestId);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(again.name(), first.name());
  v1::Application changed = KommunApplication();
  changed.set_project_title("Annat");
  st = Create(env().KommunToken(), guider_call_, changed, &again, kRequestId);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(st), "REQUEST_ID_REUSED");
  EXPECT_EQ(env().Count("SELECT count(*) FROM applications"), 1);
}

// ---- Update -----------------------------------------------------------------------------------

TEST_F(ApplicationTest, UpdateDraftWithMaskAndEtag) {
  v1::Application draft = Draft();
  v1::UpdateApplicationRequest req;
  *req.mutable_application() = draft;
  req.mutable_application()->set_project_title("Flyktingguider och familjekontakter");
  req.mutable_application()->mutable_requested_amount()->set_ore(1);  // not in the mask
  req.mutable_update_mask()->add_paths("project_title");
  v1::Application updated;
  ::grpc::Status st = env().Call(&Stub::UpdateApplication, env().KommunToken(), req, &updated);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(updated.project_title(), "Flyktingguider och familjekontakter");
  EXPECT_EQ(updated.requested_amount().ore(), 1'750'050);
  EXPECT_NE(updated.etag(), draft.etag());

  st = env().Call(&Stub::UpdateApplication, env().KommunToken(), req, &updated);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ABORTED);
  EXPECT_EQ(ReasonOf(st), "ETAG_MISMATCH");

  // Changing the budget lines alone breaks their sum.
  req.mutable_application()->clear_etag();
  req.mutable_update_mask()->Clear();
  req.mutable_update_mask()->add_paths("budget_lines");
  req.mutable_application()->mutable_budget_lines(0)->mutable_amount()->set_ore(1);
  st = env().Call(&Stub::UpdateApplication, env().KommunToken(), req, &updated);
  EXPECT_EQ(ReasonOf(st), "BUDGET_LINES_SUM_MISMATCH");
  req.mutable_update_mask()->add_paths("requested_amount");
  req.mutable_application()->mutable_requested_amount()->set_ore(250'051);
  st = env().Call(&Stub::UpdateApplication, env().KommunToken(), req, &updated);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(updated.requested_amount().ore(), 250'051);

  req.mutable_update_mask()->Clear();
  req.mutable_update_mask()->add_paths("project_period");
  *req.mutable_application()->mutable_project_period()->mutable_start_date() = D(2026, 6, 1);
  st = env().Call(&Stub::UpdateApplication, env().KommunToken(), req, &updated);
  EXPECT_EQ(ReasonOf(st), "PERIOD_OUTSIDE_FUNDING_PERIOD");
  EXPECT_EQ(MetadataOf(st)["funding_period_start"], "2027-01-01");

  req.mutable_update_mask()->Clear();
  req.mutable_update_mask()->add_paths("applicant.kommunkod");
  st = env().Call(&Stub::UpdateApplication, env().KommunToken(), req, &updated);
  EXPECT_EQ(ReasonOf(st), "UPDATE_MASK_INVALID");
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'application.update'"), 2);
}

TEST_F(ApplicationTest, OnlyDraftsChange) {
  v1::Application draft = Draft();
  v1::Application submitted;
  ASSERT_TRUE(Submit(env().KommunToken(), draft.name(), &submitted).ok());
  v1::UpdateApplicationRequest req;
  req.mutable_application()->set_name(draft.name());
  req.mutable_application()->set_description("Ny");
  req.mutable_update_mask()->add_paths("description");
  v1::Application out;
  ::grpc::Status st = env().Call(&Stub::UpdateApplication, env().KommunToken(), req, &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_DRAFT");
  EXPECT_EQ(MetadataOf(st)["state"], "SUBMITTED");
}

// ---- Submit -----------------------------------------------------------------------------------

TEST_F(ApplicationTest, SubmitAssignsADiarienummerAndAnnouncesIt) {
  v1::Application draft = Draft();
  v1::Application submitted;
  ::grpc::Status st =
      Submit(env().KommunToken(), draft.name(), &submitted, kRequestId, draft.etag());
  ASSERT_TRUE(st.ok()) << Describe(st);
  const int year = StockholmYear(env().clock().Now());
  EXPECT_EQ(submitted.state(), v1::APPLICATION_STATE_SUBMITTED);
  EXPECT_EQ(submitted.diarienummer(), absl::StrCat("851-1-", year));
  EXPECT_GT(submitted.submit_time().seconds(), 0);

  pqxx::result rows = env().Query(
      "SELECT aggregate, payload FROM outbox WHERE event_type = "
      "'lansstyrelsen.integration.grants.v1.ApplicationSubmittedEvent'");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].as<std::string>(), draft.name());
  v1::ApplicationSubmittedEvent event;
  ASSERT_TRUE(event.ParseFromString(pqxx::binarystring(rows[0][1]).str()));
  EXPECT_EQ(event.diarienummer(), submitted.diarienummer());
  EXPECT_EQ(event.applicant().kommunkod(), kKommunA);
  EXPECT_EQ(event.requested_amount().ore(), 1'750'050);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'application.submit' AND "
                        "resource = '" +
                        draft.name() + "'"),
            1);

  // A retry returns the first answer; a second submission is a wrong state.
  v1::Application again;
  st = Submit(env().KommunToken(), draft.name(), &again, kRequestId, draft.etag());
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(again.diarienummer(), submitted.diarienummer());
  st = Submit(env().KommunToken(), draft.name(), &again);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_DRAFT");
  // The same request id for another application is a reuse.
  v1::Application other = Draft();
  st = Submit(env().KommunToken(), other.name(), &again, kRequestId);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ReasonOf(st), "REQUEST_ID_REUSED");
  EXPECT_EQ(SubmittedEvents(), 1);

  // The next number of the year follows.
  st = Submit(env().KommunToken(), other.name(), &again);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(again.diarienummer(), absl::StrCat("851-2-", year));
  EXPECT_EQ(SubmittedEvents(), 2);
}

TEST_F(ApplicationTest, SubmitWithStaleEtagIsAborted) {
  v1::Application draft = Draft();
  v1::Application out;
  ::grpc::Status st = Submit(env().KommunToken(), draft.name(), &out, "", "r999");
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::ABORTED);
  EXPECT_EQ(ReasonOf(st), "ETAG_MISMATCH");
  EXPECT_EQ(State(draft.name()), "DRAFT");
  EXPECT_EQ(SubmittedEvents(), 0);
}

TEST_F(ApplicationTest, IncompleteDraftCannotBeSubmitted) {
  v1::Application app;
  app.mutable_applicant()->set_kommunkod(kKommunA);
  app.mutable_applicant()->set_type(v1::APPLICANT_TYPE_KOMMUN);
  app.mutable_applicant()->set_display_name("Uppsala kommun");
  v1::Application draft;
  ASSERT_TRUE(Create(env().KommunToken(), guider_call_, app, &draft).ok());
  v1::Application out;
  ::grpc::Status st = Submit(env().KommunToken(), draft.name(), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_INCOMPLETE");
  EXPECT_THAT(ViolationFieldsOf(st),
              ElementsAre("application.project_title", "application.project_period.start_date",
                          "application.project_period.end_date", "application.budget_lines",
                          "application.requested_amount"));
  EXPECT_EQ(State(draft.name()), "DRAFT");
  EXPECT_EQ(SubmittedEvents(), 0);
  EXPECT_EQ(env().Count("SELECT count(*) FROM diarienummer_sequences"), 0);
}

TEST_F(ApplicationTest, SubmissionAfterCloseTimeIsRejectedAndLeavesNoEvent) {
  v1::Application draft = Draft();
  env().clock().Advance(absl::Hours(24 * 31));  // the seeded call closes after 30 days
  v1::Application out;
  ::grpc::Status st = Submit(env().KommunToken(), draft.name(), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "CALL_NOT_OPEN");
  EXPECT_FALSE(MetadataOf(st)["close_time"].empty());
  EXPECT_EQ(MetadataOf(st)["state"], "CALL_STATE_CLOSED");
  EXPECT_EQ(State(draft.name()), "DRAFT");
  EXPECT_EQ(SubmittedEvents(), 0);
  EXPECT_EQ(env().Count("SELECT count(*) FROM applications WHERE diarienummer IS NOT NULL"), 0);
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'application.submit'"), 0);
}

TEST_F(ApplicationTest, SubmissionBeforeOpenTimeIsRejected) {
  SeedCallSpec spec;
  spec.programme_id = "guider";
  spec.open_offset = absl::Hours(-1);
  const int64_t call_id = env().SeedCall(spec);
  v1::Application draft;
  ASSERT_TRUE(Create(env().KommunToken(), call_id, KommunApplication(), &draft).ok());
  // Stored OPEN but its window starts later: moved forward in the table.
  env().Query(absl::StrCat("UPDATE calls SET open_time = now() + interval '1 day' WHERE call_id = ",
                           call_id));
  v1::Application out;
  ::grpc::Status st = Submit(env().KommunToken(), draft.name(), &out);
  EXPECT_EQ(ReasonOf(st), "CALL_NOT_OPEN");
  EXPECT_EQ(SubmittedEvents(), 0);
}

TEST_F(ApplicationTest, SubmitRechecksEligibilityAgainstTheProgramme) {
  v1::Application draft = Draft();
  // The programme stops funding kommuner after the draft was written.
  env().Query(
      "UPDATE programmes SET eligible_types = '{APPLICANT_TYPE_KOMMUNALFORBUND}' "
      "WHERE programme_id = 'guider'");
  v1::Application out;
  ::grpc::Status st = Submit(env().KommunToken(), draft.name(), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "APPLICANT_NOT_ELIGIBLE");
  EXPECT_EQ(State(draft.name()), "DRAFT");
  EXPECT_EQ(SubmittedEvents(), 0);
  // The number was not consumed: the rejected transaction rolled back.
  EXPECT_EQ(env().Count("SELECT count(*) FROM diarienummer_sequences"), 0);
}

// ---- Withdraw ---------------------------------------------------------------------------------

TEST_F(ApplicationTest, WithdrawFromDraftOrSubmittedOnly) {
  v1::Application draft = Draft();
  v1::Application out;
  ::grpc::Status st = Withdraw(env().KommunToken(), draft.name(), &out, "Fel utlysning");
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.state(), v1::APPLICATION_STATE_WITHDRAWN);
  // The free-text reason stays on the application; the audit detail holds only the step.
  EXPECT_EQ(out.withdraw_reason(), "Fel utlysning");
  ASSERT_TRUE(Get(env().OfficerToken(), draft.name(), &out).ok());
  EXPECT_EQ(out.withdraw_reason(), "Fel utlysning");
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE detail LIKE '%Fel utlysning%'"), 0);
  st = Withdraw(env().KommunToken(), draft.name(), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_WITHDRAWABLE");
  st = Submit(env().KommunToken(), draft.name(), &out);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_DRAFT");

  v1::Application second = Draft();
  ASSERT_TRUE(Submit(env().KommunToken(), second.name(), &out).ok());
  st = Withdraw(env().KommunToken(), second.name(), &out);
  ASSERT_TRUE(st.ok()) << Describe(st);
  EXPECT_EQ(out.state(), v1::APPLICATION_STATE_WITHDRAWN);
  EXPECT_FALSE(out.diarienummer().empty());  // the case keeps its number

  SeedApplicationSpec decided;
  decided.call_id = guider_call_;
  decided.state = "DECIDED";
  decided.decision_outcome = "REJECTED";
  const int64_t id = env().SeedApplication(decided);
  st = Withdraw(env().KommunToken(), absl::StrCat("calls/", guider_call_, "/applications/", id),
                &out);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_WITHDRAWABLE");
  EXPECT_EQ(MetadataOf(st)["state"], "DECIDED");
  EXPECT_EQ(env().Count("SELECT count(*) FROM audit_log WHERE action = 'application.withdraw'"), 2);
}

// ---- Tenant isolation and reads ----------------------------------------------------------------

TEST_F(ApplicationTest, KommunCannotReadListOrChangeAnotherKommunsApplications) {
  v1::Application a = Draft(kKommunA);
  v1::Application b = Draft(kKommunB);
  const std::string token_b = env().KommunToken(kKommunB);
  v1::Application out;
  // Another kommun's application is answered exactly as a missing one.
  ::grpc::Status st = Get(token_b, a.name(), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  v1::ListApplicationsRequest list;
  list.set_parent(absl::StrCat("calls/", guider_call_));
  EXPECT_THAT(List(token_b, list), ElementsAre(b.name()));
  list.set_parent("calls/-");
  EXPECT_THAT(List(token_b, list), ElementsAre(b.name()));
  list.set_kommunkod(kKommunA);  // a filter cannot widen the view
  EXPECT_THAT(List(token_b, list), IsEmpty());

  v1::UpdateApplicationRequest update;
  update.mutable_application()->set_name(a.name());
  update.mutable_application()->set_project_title("Kapat");
  update.mutable_update_mask()->add_paths("project_title");
  st = env().Call(&Stub::UpdateApplication, token_b, update, &out);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  st = Submit(token_b, a.name(), &out);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  st = Withdraw(token_b, a.name(), &out);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  EXPECT_EQ(State(a.name()), "DRAFT");
  ASSERT_TRUE(Get(env().KommunToken(kKommunA), a.name(), &out).ok());
  EXPECT_EQ(out.project_title(), "Flyktingguider");
}

TEST_F(ApplicationTest, CoApplicantKommunReadsButDoesNotAct) {
  v1::Application app = KommunApplication();
  app.add_co_applicant_kommuner(kKommunB);
  v1::Application created;
  ASSERT_TRUE(Create(env().KommunToken(), guider_call_, app, &created).ok());
  const std::string token_b = env().KommunToken(kKommunB);
  v1::Application out;
  ASSERT_TRUE(Get(token_b, created.name(), &out).ok());
  v1::ListApplicationsRequest list;
  list.set_parent("calls/-");
  EXPECT_THAT(List(token_b, list), ElementsAre(created.name()));
  ::grpc::Status st = Submit(token_b, created.name(), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ApplicationTest, OrganisationSeesOnlyItsOwn) {
  v1::Application mine, theirs;
  ASSERT_TRUE(Create(env().OrgToken(kOrgAssociation), tia_call_,
                     OrgApplication(kOrgAssociation, v1::APPLICANT_TYPE_NON_PROFIT_ASSOCIATION),
                     &mine)
                  .ok());
  ASSERT_TRUE(Create(env().OrgToken(kOrgAssociation2), tia_call_,
                     OrgApplication(kOrgAssociation2, v1::APPLICANT_TYPE_STUDY_ASSOCIATION),
                     &theirs)
                  .ok());
  v1::Application out;
  // Another organisation's application: as if it did not exist.
  ::grpc::Status st = Get(env().OrgToken(kOrgAssociation), theirs.name(), &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  st = Withdraw(env().OrgToken(kOrgAssociation), theirs.name(), &out);
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  v1::ListApplicationsRequest list;
  list.set_parent(absl::StrCat("calls/", tia_call_));
  EXPECT_THAT(List(env().OrgToken(kOrgAssociation), list), ElementsAre(mine.name()));
  EXPECT_THAT(List(env().OrgToken(kOrgAssociation2), list), ElementsAre(theirs.name()));
  EXPECT_THAT(List(env().KommunToken(), list), IsEmpty());
}

TEST_F(ApplicationTest, CountyRolesListTheirCountyWithFiltersAndPages) {
  std::vector<std::string> names;
  for (int i = 0; i < 3; ++i) names.push_back(Draft(kKommunA).name());
  names.push_back(Draft(kKommunB).name());
  v1::Application submitted;
  ASSERT_TRUE(Submit(env().KommunToken(kKommunB), names[3], &submitted).ok());
  SeedCallSpec other_lan;
  other_lan.programme_id = "guider";
  other_lan.lanskod = kOtherLan;
  SeedApplicationSpec foreign;
  foreign.call_id = env().SeedCall(other_lan);
  foreign.kommunkod = kOtherLanKommun;
  const int64_t foreign_id = env().SeedApplication(foreign);

  v1::ListApplicationsRequest list;
  list.set_parent("calls/-");
  EXPECT_THAT(List(env().OfficerToken(), list),
              ElementsAre(names[0], names[1], names[2], names[3]));
  EXPECT_THAT(List(env().AdminToken(), list, 500),
              ElementsAre(names[0], names[1], names[2], names[3]));
  EXPECT_THAT(List(env().OfficerToken("officer-9", kOtherLan), list),
              ElementsAre(absl::StrCat("calls/", foreign.call_id, "/applications/", foreign_id)));
  list.set_state(v1::APPLICATION_STATE_SUBMITTED);
  EXPECT_THAT(List(env().OfficerToken(), list), ElementsAre(names[3]));
  list.clear_state();
  list.set_kommunkod(kKommunA);
  EXPECT_THAT(List(env().OfficerToken(), list), ElementsAre(names[0], names[1], names[2]));

  v1::Application out;
  ::grpc::Status st = Get(env().OfficerToken("officer-9", kOtherLan), names[0], &out);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND) << "another county's: as if missing";
  EXPECT_EQ(ReasonOf(st), "APPLICATION_NOT_FOUND");
  ASSERT_TRUE(Get(env().OfficerToken(), names[0], &out).ok());

  v1::ListApplicationsResponse resp;
  list.set_page_size(-1);
  st = env().Call(&Stub::ListApplications, env().OfficerToken(), list, &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  list.set_page_size(0);
  list.set_kommunkod("12");
  st = env().Call(&Stub::ListApplications, env().OfficerToken(), list, &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  list.clear_kommunkod();
  list.set_parent("calls/999999");
  st = env().Call(&Stub::ListApplications, env().OfficerToken(), list, &resp);
  EXPECT_EQ(st.error_code(), ::grpc::StatusCode::NOT_FOUND);
  // A page token of one caller's view is not accepted in another's.
  list.set_parent("calls/-");
  list.set_page_size(1);
  ASSERT_TRUE(env().Call(&Stub::ListApplications, env().OfficerToken(), list, &resp).ok());
  ASSERT_FALSE(resp.next_page_token().empty());
  list.set_page_token(resp.next_page_token());
  st = env().Call(&Stub::ListApplications, env().KommunToken(), list, &resp);
  EXPECT_EQ(ReasonOf(st), "PAGE_TOKEN_INVALID");
}

}  // namespace
}  // namespace integration::grants::testing
