// Unit tests of the programme rules: required texts, applicant types and required reports.
#include "rules/programme_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "integration/status/status.h"

namespace integration::grants {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

v1::Programme Valid() {
  v1::Programme p;
  p.set_display_name("Flyktingguider och familjekontakter");
  p.set_legal_basis("Förordning (2010:1122) § 37 a");
  p.add_eligible_applicant_types(v1::APPLICANT_TYPE_KOMMUN);
  v1::ReportRequirement* r = p.add_required_reports();
  r->set_type(v1::REPORT_TYPE_FINAL);
  r->set_anchor(v1::REPORT_ANCHOR_PROJECT_END);
  r->set_months_after(2);
  return p;
}

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

TEST(ProgrammeRulesTest, AcceptsACompleteProgramme) {
  EXPECT_TRUE(ValidateProgramme(Valid(), "programme").ok());
}

TEST(ProgrammeRulesTest, RequiresDisplayNameAndLegalBasis) {
  v1::Programme p = Valid();
  p.set_display_name("  ");
  p.clear_legal_basis();
  absl::Status st = ValidateProgramme(p, "programme");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(st), kReasonProgrammeInvalid);
  EXPECT_THAT(Fields(st), ElementsAre("programme.display_name", "programme.legal_basis"));
}

TEST(ProgrammeRulesTest, NeedsAtLeastOneKnownApplicantTypeOnce) {
  v1::Programme p = Valid();
  p.clear_eligible_applicant_types();
  EXPECT_THAT(Fields(ValidateProgramme(p, "programme")),
              ElementsAre("programme.eligible_applicant_types"));
  p.add_eligible_applicant_types(v1::APPLICANT_TYPE_KOMMUN);
  p.add_eligible_applicant_types(v1::APPLICANT_TYPE_UNSPECIFIED);
  p.add_eligible_applicant_types(v1::APPLICANT_TYPE_KOMMUN);
  p.add_eligible_applicant_types(static_cast<v1::ApplicantType>(99));
  EXPECT_THAT(
      Fields(ValidateProgramme(p, "programme")),
      ElementsAre("programme.eligible_applicant_types[1]", "programme.eligible_applicant_types[2]",
                  "programme.eligible_applicant_types[3]"));
}

TEST(ProgrammeRulesTest, ChecksRequiredReports) {
  v1::Programme p = Valid();
  v1::ReportRequirement* dup = p.add_required_reports();
  dup->set_type(v1::REPORT_TYPE_FINAL);
  dup->set_anchor(v1::REPORT_ANCHOR_PROJECT_START);
  dup->set_months_after(37);
  v1::ReportRequirement* bad = p.add_required_reports();
  bad->set_months_after(-1);
  EXPECT_THAT(
      Fields(ValidateProgramme(p, "programme")),
      ElementsAre("programme.required_reports[1].type",
                  "programme.required_reports[1].months_after",
                  "programme.required_reports[2].type", "programme.required_reports[2].anchor",
                  "programme.required_reports[2].months_after"));
}

TEST(ProgrammeRulesTest, MonthsAfterBoundsAreInclusive) {
  v1::Programme p = Valid();
  p.mutable_required_reports(0)->set_months_after(0);
  EXPECT_TRUE(ValidateProgramme(p, "programme").ok());
  p.mutable_required_reports(0)->set_months_after(36);
  EXPECT_TRUE(ValidateProgramme(p, "programme").ok());
  p.clear_required_reports();
  EXPECT_THAT(Fields(ValidateProgramme(p, "programme")), IsEmpty());
}

TEST(ProgrammeRulesTest, EligibilityIsMembership) {
  v1::Programme p = Valid();
  EXPECT_TRUE(IsEligible(p, v1::APPLICANT_TYPE_KOMMUN));
  EXPECT_FALSE(IsEligible(p, v1::APPLICANT_TYPE_COMPANY));
}

}  // namespace
}  // namespace integration::grants
