// Unit tests of decision_rules: request checks, the approved amount of each outcome, the
// budget check in öre near the int64 limits, required reports and coverage of periods.
#include "rules/decision_rules.h"

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "integration/status/status.h"

namespace integration::grants {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

std::string Reason(const absl::Status& st) {
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(st);
  return info ? info->reason() : "";
}

std::vector<std::string> Fields(const absl::Status& st) {
  std::vector<std::string> out;
  if (auto bad = status::GetBadRequest(st)) {
    for (const auto& v : bad->field_violations()) out.push_back(v.field());
  }
  return out;
}

std::map<std::string, std::string> Metadata(const absl::Status& st) {
  std::map<std::string, std::string> out;
  if (auto info = status::GetErrorInfo(st))
    out.insert(info->metadata().begin(), info->metadata().end());
  return out;
}

Period P(int y1, int m1, int d1, int y2, int m2, int d2) {
  return Period{absl::CivilDay(y1, m1, d1), absl::CivilDay(y2, m2, d2)};
}

TEST(CheckDecisionRequestTest, NeedsOutcomeAndConditions) {
  v1::DecideApplicationRequest req;
  absl::Status st = CheckDecisionRequest(req);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(st), kReasonDecisionInvalid);
  EXPECT_EQ(Fields(st), (std::vector<std::string>{"outcome", "conditions"}));
  req.set_outcome(v1::DECISION_OUTCOME_APPROVED);
  req.set_conditions("Slutrapport senast två månader efter projektets slut.");
  EXPECT_TRUE(CheckDecisionRequest(req).ok());
  req.mutable_approved_amount()->set_ore(-1);
  EXPECT_EQ(Fields(CheckDecisionRequest(req)), (std::vector<std::string>{"approved_amount"}));
  req.clear_approved_amount();
  req.set_outcome(static_cast<v1::DecisionOutcome>(42));
  EXPECT_EQ(Fields(CheckDecisionRequest(req)), (std::vector<std::string>{"outcome"}));
  req.set_outcome(v1::DECISION_OUTCOME_REJECTED);
  req.set_conditions(std::string(kMaxConditionsBytes + 1, 'x'));
  EXPECT_EQ(Fields(CheckDecisionRequest(req)), (std::vector<std::string>{"conditions"}));
}

TEST(DecidedAmountTest, Approved) {
  EXPECT_EQ(*DecidedAmount(v1::DECISION_OUTCOME_APPROVED, false, 0, 1'000'000), 1'000'000);
  EXPECT_EQ(*DecidedAmount(v1::DECISION_OUTCOME_APPROVED, true, 1'000'000, 1'000'000), 1'000'000);
  absl::StatusOr<int64_t> less =
      DecidedAmount(v1::DECISION_OUTCOME_APPROVED, true, 999'999, 1'000'000);
  EXPECT_EQ(Reason(less.status()), kReasonDecisionInvalid);
  EXPECT_EQ(Fields(less.status()), (std::vector<std::string>{"approved_amount"}));
  absl::StatusOr<int64_t> more =
      DecidedAmount(v1::DECISION_OUTCOME_APPROVED, true, 1'000'001, 1'000'000);
  EXPECT_EQ(more.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(more.status()), kReasonApprovedAboveRequested);
  EXPECT_FALSE(DecidedAmount(v1::DECISION_OUTCOME_APPROVED, false, 0, 0).ok());
  EXPECT_EQ(*DecidedAmount(v1::DECISION_OUTCOME_APPROVED, false, 0, kMax), kMax);
}

TEST(DecidedAmountTest, PartiallyApproved) {
  EXPECT_EQ(*DecidedAmount(v1::DECISION_OUTCOME_PARTIALLY_APPROVED, true, 1, 1'000'000), 1);
  EXPECT_EQ(*DecidedAmount(v1::DECISION_OUTCOME_PARTIALLY_APPROVED, true, 999'999, 1'000'000),
            999'999);
  EXPECT_EQ(Reason(DecidedAmount(v1::DECISION_OUTCOME_PARTIALLY_APPROVED, false, 0, 10).status()),
            kReasonDecisionInvalid);
  EXPECT_EQ(Reason(DecidedAmount(v1::DECISION_OUTCOME_PARTIALLY_APPROVED, true, 0, 10).status()),
            kReasonDecisionInvalid);
  EXPECT_EQ(Reason(DecidedAmount(v1::DECISION_OUTCOME_PARTIALLY_APPROVED, true, 10, 10).status()),
            kReasonDecisionInvalid);
  EXPECT_EQ(Reason(DecidedAmount(v1::DECISION_OUTCOME_PARTIALLY_APPROVED, true, 11, 10).status()),
            kReasonApprovedAboveRequested);
  EXPECT_EQ(
      Reason(DecidedAmount(v1::DECISION_OUTCOME_PARTIALLY_APPROVED, true, kMax, kMax - 1).status()),
      kReasonApprovedAboveRequested);
}

TEST(DecidedAmountTest, Rejected) {
  EXPECT_EQ(*DecidedAmount(v1::DECISION_OUTCOME_REJECTED, false, 0, 500), 0);
  EXPECT_EQ(*DecidedAmount(v1::DECISION_OUTCOME_REJECTED, true, 0, 500), 0);
  EXPECT_EQ(Reason(DecidedAmount(v1::DECISION_OUTCOME_REJECTED, true, 1, 500).status()),
            kReasonDecisionInvalid);
  EXPECT_EQ(Reason(DecidedAmount(v1::DECISION_OUTCOME_REJECTED, true, 501, 500).status()),
            kReasonApprovedAboveRequested);
}

TEST(CheckWithinBudgetTest, ExactFitPassesOneOreMoreFails) {
  EXPECT_TRUE(CheckWithinBudget("calls/1", 1000, 0, 1000).ok());
  EXPECT_TRUE(CheckWithinBudget("calls/1", 1000, 667, 333).ok());
  absl::Status st = CheckWithinBudget("calls/1", 1000, 667, 334);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(st), kReasonCallBudgetExceeded);
  EXPECT_EQ(Metadata(st), (std::map<std::string, std::string>{{"call", "calls/1"},
                                                              {"budget_ore", "1000"},
                                                              {"approved_total_ore", "667"},
                                                              {"requested_approval_ore", "334"},
                                                              {"remaining_ore", "333"}}));
}

TEST(CheckWithinBudgetTest, NearInt64LimitNeverWraps) {
  EXPECT_TRUE(CheckWithinBudget("calls/1", kMax, kMax - 1, 1).ok());
  absl::Status st = CheckWithinBudget("calls/1", kMax, kMax - 1, 2);  // the sum overflows
  EXPECT_EQ(Reason(st), kReasonCallBudgetExceeded);
  EXPECT_EQ(Metadata(st)["remaining_ore"], "1");
  EXPECT_EQ(Reason(CheckWithinBudget("calls/1", kMax, kMax, kMax)), kReasonCallBudgetExceeded);
}

TEST(RequiredReportsTest, DueDatesFromAnchors) {
  v1::Programme p;
  auto add = [&](v1::ReportType type, v1::ReportAnchor anchor, int months) {
    v1::ReportRequirement* r = p.add_required_reports();
    r->set_type(type);
    r->set_anchor(anchor);
    r->set_months_after(months);
  };
  add(v1::REPORT_TYPE_INTERIM, v1::REPORT_ANCHOR_PROJECT_START, 6);
  add(v1::REPORT_TYPE_FINAL, v1::REPORT_ANCHOR_PROJECT_END, 2);
  add(v1::REPORT_TYPE_FINANCIAL, v1::REPORT_ANCHOR_PROJECT_END, 0);
  add(v1::REPORT_TYPE_FINAL, v1::REPORT_ANCHOR_PROJECT_END, 12);  // second FINAL: ignored
  absl::StatusOr<std::vector<DueReport>> due = RequiredReports(p, P(2027, 8, 31, 2027, 12, 31));
  ASSERT_TRUE(due.ok()) << due.status();
  ASSERT_EQ(due->size(), 3u);
  EXPECT_EQ((*due)[0].type, v1::REPORT_TYPE_INTERIM);
  EXPECT_EQ((*due)[0].due, absl::CivilDay(2028, 2, 29));  // 31 Aug + 6 months, leap year
  EXPECT_EQ((*due)[1].type, v1::REPORT_TYPE_FINAL);
  EXPECT_EQ((*due)[1].due, absl::CivilDay(2028, 2, 29));  // 31 Dec + 2 months
  EXPECT_EQ((*due)[2].due, absl::CivilDay(2027, 12, 31));
  EXPECT_TRUE(RequiredReports(v1::Programme(), P(2027, 1, 1, 2027, 2, 1))->empty());
}

TEST(RequiredReportsTest, BrokenRequirementIsInternal) {
  v1::Programme p;
  p.add_required_reports()->set_type(v1::REPORT_TYPE_FINAL);  // no anchor
  EXPECT_EQ(RequiredReports(p, P(2027, 1, 1, 2027, 2, 1)).status().code(),
            absl::StatusCode::kInternal);
}

TEST(PeriodsCoverTest, UnionOfAdjacentPeriodsCovers) {
  const Period asked = P(2027, 1, 1, 2027, 12, 31);
  EXPECT_TRUE(PeriodsCover({P(2027, 1, 1, 2027, 12, 31)}, asked));
  EXPECT_TRUE(PeriodsCover({P(2026, 6, 1, 2028, 1, 1)}, asked));
  // Adjacent: 30 June then 1 July.
  EXPECT_TRUE(PeriodsCover({P(2027, 7, 1, 2027, 12, 31), P(2027, 1, 1, 2027, 6, 30)}, asked));
  // Overlapping and nested.
  EXPECT_TRUE(PeriodsCover(
      {P(2027, 1, 1, 2027, 8, 1), P(2027, 2, 1, 2027, 3, 1), P(2027, 7, 1, 2028, 3, 1)}, asked));
  // A one-day gap (1 July missing).
  EXPECT_FALSE(PeriodsCover({P(2027, 1, 1, 2027, 6, 30), P(2027, 7, 2, 2027, 12, 31)}, asked));
  // Starts late, ends early, nothing.
  EXPECT_FALSE(PeriodsCover({P(2027, 1, 2, 2027, 12, 31)}, asked));
  EXPECT_FALSE(PeriodsCover({P(2027, 1, 1, 2027, 12, 30)}, asked));
  EXPECT_FALSE(PeriodsCover({}, asked));
  // One-day period.
  EXPECT_TRUE(PeriodsCover({P(2027, 5, 5, 2027, 5, 5)}, P(2027, 5, 5, 2027, 5, 5)));
}

}  // namespace
}  // namespace integration::grants
