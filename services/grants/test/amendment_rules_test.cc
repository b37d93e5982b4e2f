// Unit tests of the amendment rules: something to change, the period inside the funding
// period, budget lines summing exactly to the approved amount, and the decision's comment.
#include "rules/amendment_rules.h"

#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/status/status.h"

namespace integration::grants {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

const Period kFunding{absl::CivilDay(2027, 1, 1), absl::CivilDay(2027, 12, 31)};
constexpr int64_t kApproved = 800'000'00;

std::string Reason(const absl::Status& st) {
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(st);
  return info ? info->reason() : "";
}

std::vector<std::string> Fields(const absl::Status& st) {
  std::vector<std::string> out;
  if (std::optional<google::rpc::BadRequest> br = status::GetBadRequest(st)) {
    for (const auto& v : br->field_violations()) out.push_back(v.field());
  }
  return out;
}

void SetPeriod(v1::Amendment& a, type::Date start, type::Date end) {
  *a.mutable_project_period()->mutable_start_date() = start;
  *a.mutable_project_period()->mutable_end_date() = end;
}

type::Date D(int y, int m, int d) {
  type::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

void AddLine(v1::Amendment& a, v1::BudgetCategory category, int64_t ore) {
  v1::BudgetLine* line = a.mutable_budget()->add_lines();
  line->set_category(category);
  line->set_description("rad");
  line->mutable_amount()->set_ore(ore);
}

TEST(AmendmentRulesTest, NothingToChangeIsEmpty) {
  v1::Amendment a;
  a.set_reason("Förlängning");
  const absl::Status st = CheckAmendmentRequest(a, kFunding, kApproved).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(st), kReasonAmendmentEmpty);
}

TEST(AmendmentRulesTest, ANewPeriodInsideTheFundingPeriodPasses) {
  v1::Amendment a;
  a.set_reason("Rekryteringen försenades");
  SetPeriod(a, D(2027, 3, 1), D(2027, 12, 31));
  absl::StatusOr<AmendmentChange> change = CheckAmendmentRequest(a, kFunding, kApproved);
  ASSERT_TRUE(change.ok()) << change.status();
  ASSERT_TRUE(change->period.has_value());
  EXPECT_EQ(change->period->start, absl::CivilDay(2027, 3, 1));
  EXPECT_EQ(change->period->end, absl::CivilDay(2027, 12, 31));
  EXPECT_FALSE(change->budget.has_value());
}

TEST(AmendmentRulesTest, APeriodBeyondTheFundingPeriodIsRejected) {
  v1::Amendment a;
  a.set_reason("Förlängning");
  SetPeriod(a, D(2027, 3, 1), D(2028, 1, 1));
  const absl::Status st = CheckAmendmentRequest(a, kFunding, kApproved).status();
  EXPECT_EQ(Reason(st), kReasonAmendmentPeriodOutside);
  EXPECT_THAT(Fields(st), ElementsAre("amendment.project_period"));
}

TEST(AmendmentRulesTest, MalformedFieldsAreListedTogether) {
  v1::Amendment a;
  SetPeriod(a, D(2027, 2, 30), D(2027, 1, 1));
  AddLine(a, v1::BUDGET_CATEGORY_UNSPECIFIED, 0);
  const absl::Status st = CheckAmendmentRequest(a, kFunding, kApproved).status();
  EXPECT_EQ(Reason(st), "INVALID_FIELD");
  EXPECT_THAT(Fields(st),
              UnorderedElementsAre("amendment.reason", "amendment.project_period.start_date",
                                   "amendment.budget.lines[0].category",
                                   "amendment.budget.lines[0].amount"));
}

TEST(AmendmentRulesTest, BudgetLinesMustSumExactlyToTheApprovedAmount) {
  v1::Amendment a;
  a.set_reason("Mer personal, mindre lokal");
  AddLine(a, v1::BUDGET_CATEGORY_PERSONNEL, 600'000'00);
  AddLine(a, v1::BUDGET_CATEGORY_PREMISES, 199'999'99);
  const absl::Status off_by_one = CheckAmendmentRequest(a, kFunding, kApproved).status();
  EXPECT_EQ(Reason(off_by_one), kReasonAmendmentBudgetMismatch);
  EXPECT_THAT(Fields(off_by_one), ElementsAre("amendment.budget.lines"));

  a.mutable_budget()->mutable_lines(1)->mutable_amount()->set_ore(200'000'00);
  absl::StatusOr<AmendmentChange> change = CheckAmendmentRequest(a, kFunding, kApproved);
  ASSERT_TRUE(change.ok()) << change.status();
  ASSERT_TRUE(change->budget.has_value());
  EXPECT_EQ(change->budget->lines_size(), 2);
  EXPECT_FALSE(change->period.has_value());
}

TEST(AmendmentRulesTest, AnOverflowingSumIsAMismatchNotAWrap) {
  v1::Amendment a;
  a.set_reason("x");
  AddLine(a, v1::BUDGET_CATEGORY_OTHER, INT64_MAX);
  AddLine(a, v1::BUDGET_CATEGORY_OTHER, INT64_MAX);
  AddLine(a, v1::BUDGET_CATEGORY_OTHER, 2);  // INT64_MAX * 2 + 2 wraps to 0
  EXPECT_EQ(Reason(CheckAmendmentRequest(a, kFunding, 0).status()), kReasonAmendmentBudgetMismatch);
}

TEST(AmendmentRulesTest, AnEmptyBudgetIsMalformed) {
  v1::Amendment a;
  a.set_reason("x");
  a.mutable_budget();
  EXPECT_THAT(Fields(CheckAmendmentRequest(a, kFunding, kApproved).status()),
              ElementsAre("amendment.budget.lines"));
}

TEST(AmendmentRulesTest, BothRuleViolationsAreReported) {
  v1::Amendment a;
  a.set_reason("x");
  SetPeriod(a, D(2026, 12, 1), D(2027, 6, 30));
  AddLine(a, v1::BUDGET_CATEGORY_OTHER, 1);
  const absl::Status st = CheckAmendmentRequest(a, kFunding, kApproved).status();
  EXPECT_EQ(Reason(st), kReasonAmendmentPeriodOutside);
  EXPECT_THAT(Fields(st),
              UnorderedElementsAre("amendment.project_period", "amendment.budget.lines"));
}

TEST(AmendmentRulesTest, RejectionNeedsAComment) {
  v1::DecideAmendmentRequest req;
  req.set_approve(true);
  EXPECT_TRUE(CheckAmendmentDecision(req).ok());
  req.set_approve(false);
  EXPECT_THAT(Fields(CheckAmendmentDecision(req)), ElementsAre("comment"));
  req.set_comment("Perioden går utanför utlysningens ram");
  EXPECT_TRUE(CheckAmendmentDecision(req).ok());
}

TEST(AmendmentRulesTest, StoredStateNames) {
  for (v1::AmendmentState s : {v1::AMENDMENT_STATE_REQUESTED, v1::AMENDMENT_STATE_APPROVED,
                               v1::AMENDMENT_STATE_REJECTED}) {
    EXPECT_EQ(AmendmentStateOf(AmendmentStateText(s)), s);
  }
  EXPECT_EQ(AmendmentStateOf("requested"), v1::AMENDMENT_STATE_UNSPECIFIED);
}

}  // namespace
}  // namespace integration::grants
