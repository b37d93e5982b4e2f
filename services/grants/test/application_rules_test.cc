// Unit tests of the application rules: applicant identity and type, eligibility, draft
// contents, budget sums, the call's maximum and funding period, and completeness.
#include "rules/application_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "integration/status/status.h"

namespace integration::grants {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Fields(const absl::Status& st) {
  std::vector<std::string> out;
  std::optional<google::rpc::BadRequest> bad = status::GetBadRequest(st);
  if (!bad) return out;
  for (const auto& v : bad->field_violations()) out.push_back(v.field());
  return out;
}

std::string Reason(const absl::Status& st) {
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(st);
  return info ? info->reason() : "";
}

std::string Meta(const absl::Status& st, const std::string& key) {
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(st);
  if (!info || !info->metadata().contains(key)) return "<none>";
  return info->metadata().at(key);
}

type::Date D(int y, int m, int d) {
  type::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

v1::Applicant Kommun(const std::string& kod = "0380") {
  v1::Applicant a;
  a.set_kommunkod(kod);
  a.set_type(v1::APPLICANT_TYPE_KOMMUN);
  a.set_display_name("Uppsala kommun");
  return a;
}

v1::Applicant Org(const std::string& orgnr, v1::ApplicantType type) {
  v1::Applicant a;
  a.set_organisationsnummer(orgnr);
  a.set_type(type);
  a.set_display_name("Föreningen");
  return a;
}

v1::Application Complete() {
  v1::Application a;
  *a.mutable_applicant() = Kommun();
  a.set_project_title("Flyktingguider i Uppsala");
  *a.mutable_project_period()->mutable_start_date() = D(2027, 2, 1);
  *a.mutable_project_period()->mutable_end_date() = D(2027, 11, 30);
  v1::BudgetLine* l1 = a.add_budget_lines();
  l1->set_category(v1::BUDGET_CATEGORY_PERSONNEL);
  l1->set_description("Samordnare");
  l1->mutable_amount()->set_ore(600'000);
  v1::BudgetLine* l2 = a.add_budget_lines();
  l2->set_category(v1::BUDGET_CATEGORY_MATERIALS);
  l2->set_description("Material");
  l2->mutable_amount()->set_ore(400'001);
  a.mutable_requested_amount()->set_ore(1'000'001);
  return a;
}

CallTerms Terms() {
  return CallTerms{.max_per_application_ore = 5'000'000,
                   .funding = Period{absl::CivilDay(2027, 1, 1), absl::CivilDay(2027, 12, 31)}};
}

// ---- Applicant ------------------------------------------------------------------------------

TEST(ApplicantTest, KommunIsAKommun) {
  absl::StatusOr<v1::Applicant> a = CheckApplicant(Kommun(), "application.applicant");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->kommunkod(), "0380");
}

TEST(ApplicantTest, UnknownKommunkodIsInvalid) {
  absl::Status st = CheckApplicant(Kommun("0399"), "application.applicant").status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(st), ElementsAre("application.applicant.kommunkod"));
}

TEST(ApplicantTest, OrganisationsnummerIsNormalisedAndChecked) {
  absl::StatusOr<v1::Applicant> a =
      CheckApplicant(Org("8024001235", v1::APPLICANT_TYPE_NON_PROFIT_ASSOCIATION), "app");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->organisationsnummer(), "802400-1235");
  absl::Status bad =
      CheckApplicant(Org("802400-1236", v1::APPLICANT_TYPE_NON_PROFIT_ASSOCIATION), "app").status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(bad), ElementsAre("app.organisationsnummer"));
}

TEST(ApplicantTest, IdentifierTypeAndNameRequired) {
  v1::Applicant a;
  absl::Status st = CheckApplicant(a, "app").status();
  EXPECT_EQ(Reason(st), kReasonApplicationInvalid);
  EXPECT_THAT(Fields(st), ElementsAre("app.kommunkod", "app.type", "app.display_name"));
}

TEST(ApplicantTest, TypeMustAgreeWithTheIdentifier) {
  struct Case {
    std::string orgnr;
    v1::ApplicantType type;
    bool ok;
  };
  const std::vector<Case> cases = {
      {"222000-1115", v1::APPLICANT_TYPE_KOMMUNALFORBUND, true},
      {"222000-1115", v1::APPLICANT_TYPE_NON_PROFIT_ASSOCIATION, false},
      {"802400-1235", v1::APPLICANT_TYPE_NON_PROFIT_ASSOCIATION, true},
      {"802400-1235", v1::APPLICANT_TYPE_FAITH_COMMUNITY, true},
      {"802400-1235", v1::APPLICANT_TYPE_STUDY_ASSOCIATION, true},
      {"802400-1235", v1::APPLICANT_TYPE_FOUNDATION, true},
      {"802400-1235", v1::APPLICANT_TYPE_COMPANY, false},
      {"802400-1235", v1::APPLICANT_TYPE_KOMMUN, false},
      {"556600-7893", v1::APPLICANT_TYPE_COMPANY, true},
      {"556600-7893", v1::APPLICANT_TYPE_NON_PROFIT_ASSOCIATION, false},
      {"769600-0004", v1::APPLICANT_TYPE_COMPANY, true},
      {"969600-0000", v1::APPLICANT_TYPE_COMPANY, true},
      {"162021-0003", v1::APPLICANT_TYPE_COMPANY, false},
  };
  for (const Case& c : cases) {
    absl::StatusOr<v1::Applicant> a = CheckApplicant(Org(c.orgnr, c.type), "app");
    EXPECT_EQ(a.ok(), c.ok) << c.orgnr << " " << v1::ApplicantType_Name(c.type);
    if (!c.ok) {
      EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(Reason(a.status()), kReasonApplicantTypeMismatch);
      EXPECT_THAT(Fields(a.status()), ElementsAre("app.type"));
    }
  }
  v1::Applicant k = Kommun();
  k.set_type(v1::APPLICANT_TYPE_KOMMUNALFORBUND);
  EXPECT_EQ(Reason(CheckApplicant(k, "app").status()), kReasonApplicantTypeMismatch);
}

TEST(ApplicantTest, Eligibility) {
  v1::Programme guider;
  guider.set_name("programmes/guider");
  guider.add_eligible_applicant_types(v1::APPLICANT_TYPE_KOMMUN);
  EXPECT_TRUE(CheckEligible(guider, v1::APPLICANT_TYPE_KOMMUN).ok());
  absl::Status st = CheckEligible(guider, v1::APPLICANT_TYPE_NON_PROFIT_ASSOCIATION);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(st), kReasonApplicantNotEligible);
  EXPECT_EQ(Meta(st, "programme"), "programmes/guider");
  EXPECT_EQ(Meta(st, "eligible_applicant_types"), "APPLICANT_TYPE_KOMMUN");
}

// ---- Content ---------------------------------------------------------------------------------

TEST(ContentTest, CompleteApplicationPasses) {
  v1::Application a = Complete();
  EXPECT_TRUE(CheckApplicationContent(a, "application").ok());
  EXPECT_TRUE(CheckComplete(a, "application").ok());
  EXPECT_TRUE(CheckAgainstCall(a, Terms(), "application").ok());
}

TEST(ContentTest, EmptyDraftPassesButIsIncomplete) {
  v1::Application a;
  *a.mutable_applicant() = Kommun();
  EXPECT_TRUE(CheckApplicationContent(a, "application").ok());
  EXPECT_TRUE(CheckAgainstCall(a, Terms(), "application").ok());
  absl::Status st = CheckComplete(a, "application");
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(st), kReasonApplicationIncomplete);
  EXPECT_THAT(Fields(st),
              ElementsAre("application.project_title", "application.project_period.start_date",
                          "application.project_period.end_date", "application.budget_lines",
                          "application.requested_amount"));
}

TEST(ContentTest, BudgetLinesNeedCategoryDescriptionAndPositiveAmount) {
  v1::Application a = Complete();
  v1::BudgetLine* bad = a.add_budget_lines();
  bad->mutable_amount()->set_ore(0);
  a.mutable_budget_lines(0)->mutable_amount()->set_ore(-1);
  absl::Status st = CheckApplicationContent(a, "application");
  EXPECT_EQ(Reason(st), kReasonApplicationInvalid);
  EXPECT_THAT(
      Fields(st),
      ElementsAre("application.budget_lines[0].amount", "application.budget_lines[2].category",
                  "application.budget_lines[2].description", "application.budget_lines[2].amount"));
}

TEST(ContentTest, LinesMustSumToTheRequestedAmountExactly) {
  v1::Application a = Complete();
  a.mutable_requested_amount()->set_ore(1'000'000);  // one öre less than the lines
  absl::Status st = CheckApplicationContent(a, "application");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(st), kReasonBudgetLinesSumMismatch);
  EXPECT_THAT(Fields(st), ElementsAre("application.requested_amount"));
  EXPECT_EQ(Meta(st, "budget_lines_sum_ore"), "1000001");
  EXPECT_EQ(Meta(st, "requested_amount_ore"), "1000000");
  EXPECT_THAT(std::string(st.message()), HasSubstr("10 000,01 kr"));
}

TEST(ContentTest, OverflowingLinesAreRejectedNotWrapped) {
  v1::Application a = Complete();
  a.mutable_budget_lines(0)->mutable_amount()->set_ore(std::numeric_limits<int64_t>::max());
  a.mutable_budget_lines(1)->mutable_amount()->set_ore(2);
  EXPECT_EQ(BudgetLinesSum(a), std::nullopt);
  absl::Status st = CheckApplicationContent(a, "application");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(st), ElementsAre("application.budget_lines"));
}

TEST(ContentTest, NegativeRequestedAmountIsInvalid) {
  v1::Application a = Complete();
  a.clear_budget_lines();
  a.mutable_requested_amount()->set_ore(-100);
  EXPECT_THAT(Fields(CheckApplicationContent(a, "application")),
              ElementsAre("application.requested_amount"));
}

TEST(ContentTest, PeriodMustBeRealAndOrdered) {
  v1::Application a = Complete();
  *a.mutable_project_period()->mutable_end_date() = D(2027, 1, 31);
  *a.mutable_project_period()->mutable_start_date() = D(2027, 2, 1);
  EXPECT_THAT(Fields(CheckApplicationContent(a, "application")),
              ElementsAre("application.project_period.end_date"));
  *a.mutable_project_period()->mutable_start_date() = D(2027, 2, 29);
  EXPECT_THAT(Fields(CheckApplicationContent(a, "application")),
              ElementsAre("application.project_period.start_date"));
}

TEST(ContentTest, PartnersValidNormalisedAndUnique) {
  v1::Application a = Complete();
  v1::Partner* p1 = a.add_partners();
  p1->set_organisationsnummer("8024001235");
  p1->set_display_name("Röda Korset");
  ASSERT_TRUE(CheckApplicationContent(a, "application").ok());
  EXPECT_EQ(a.partners(0).organisationsnummer(), "802400-1235");
  v1::Partner* p2 = a.add_partners();
  p2->set_organisationsnummer("802400-1235");
  p2->set_display_name("Igen");
  v1::Partner* p3 = a.add_partners();
  p3->set_organisationsnummer("802400-1234");
  EXPECT_THAT(Fields(CheckApplicationContent(a, "application")),
              ElementsAre("application.partners[1].organisationsnummer",
                          "application.partners[2].organisationsnummer",
                          "application.partners[2].display_name"));
}

TEST(ContentTest, OrganisationCannotPartnerWithItself) {
  v1::Application a = Complete();
  *a.mutable_applicant() = Org("802400-1235", v1::APPLICANT_TYPE_NON_PROFIT_ASSOCIATION);
  v1::Partner* p = a.add_partners();
  p->set_organisationsnummer("802400-1235");
  p->set_display_name("Vi själva");
  EXPECT_THAT(Fields(CheckApplicationContent(a, "application")),
              ElementsAre("application.partners[0].organisationsnummer"));
}

TEST(ContentTest, CoApplicantKommunerValidNotTheApplicantNoRepeats) {
  v1::Application a = Complete();
  a.add_co_applicant_kommuner("0381");
  ASSERT_TRUE(CheckApplicationContent(a, "application").ok());
  a.add_co_applicant_kommuner("0380");  // the applicant
  a.add_co_applicant_kommuner("0381");  // again
  a.add_co_applicant_kommuner("9999");  // unknown
  a.add_co_applicant_kommuner("38");    // malformed
  absl::Status st = CheckApplicationContent(a, "application");
  EXPECT_EQ(Reason(st), kReasonApplicationInvalid);
  EXPECT_THAT(
      Fields(st),
      ElementsAre("application.co_applicant_kommuner[1]", "application.co_applicant_kommuner[2]",
                  "application.co_applicant_kommuner[3]", "application.co_applicant_kommuner[4]"));
}

// ---- Against the call ------------------------------------------------------------------------

TEST(AgainstCallTest, RequestedAtMostTheMaximum) {
  v1::Application a = Complete();
  CallTerms terms = Terms();
  terms.max_per_application_ore = 1'000'001;
  EXPECT_TRUE(CheckAgainstCall(a, terms, "application").ok());
  terms.max_per_application_ore = 1'000'000;
  absl::Status st = CheckAgainstCall(a, terms, "application");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(st), kReasonRequestedAboveMaximum);
  EXPECT_THAT(Fields(st), ElementsAre("application.requested_amount"));
  EXPECT_EQ(Meta(st, "max_amount_per_application_ore"), "1000000");
}

TEST(AgainstCallTest, PeriodEndAfterFundingPeriodLikeTheApiStyleExample) {
  v1::Application a = Complete();
  *a.mutable_project_period()->mutable_end_date() = D(2028, 6, 30);
  absl::Status st = CheckAgainstCall(a, Terms(), "application");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(st), kReasonPeriodOutsideFundingPeriod);
  EXPECT_EQ(st.message(),
            "project period ends 2028-06-30, after the call's funding period (ends 2027-12-31)");
  EXPECT_EQ(Meta(st, "funding_period_end"), "2027-12-31");
  std::optional<google::rpc::BadRequest> bad = status::GetBadRequest(st);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(bad->field_violations_size(), 1);
  EXPECT_EQ(bad->field_violations(0).field(), "application.project_period.end_date");
  EXPECT_EQ(bad->field_violations(0).description(), "must not be after 2027-12-31");
}

TEST(AgainstCallTest, PeriodStartBeforeFundingPeriod) {
  v1::Application a = Complete();
  *a.mutable_project_period()->mutable_start_date() = D(2026, 12, 31);
  absl::Status st = CheckAgainstCall(a, Terms(), "application");
  EXPECT_EQ(Reason(st), kReasonPeriodOutsideFundingPeriod);
  EXPECT_EQ(Meta(st, "funding_period_start"), "2027-01-01");
  EXPECT_THAT(Fields(st), ElementsAre("application.project_period.start_date"));
  // The bounds themselves are inside.
  *a.mutable_project_period()->mutable_start_date() = D(2027, 1, 1);
  *a.mutable_project_period()->mutable_end_date() = D(2027, 12, 31);
  EXPECT_TRUE(CheckAgainstCall(a, Terms(), "application").ok());
}

}  // namespace
}  // namespace integration::grants
