// Unit tests of the follow-up report rules: overdue across the due date, submission contents
// per report type, accepted amounts and the return comment.
#include "rules/report_rules.h"

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

v1::Report Complete() {
  v1::Report r;
  r.mutable_used_amount()->set_ore(150'000'00);
  r.set_activities("Språkcaféer varje vecka");
  r.set_outcomes("40 deltagare fick praktik");
  r.mutable_participants()->set_women(21);
  r.mutable_participants()->set_men(17);
  r.mutable_participants()->set_other(2);
  return r;
}

TEST(ReportRulesTest, StoredNamesRoundTrip) {
  for (v1::ReportType t : {v1::REPORT_TYPE_INTERIM, v1::REPORT_TYPE_FINAL,
                           v1::REPORT_TYPE_FINANCIAL, v1::REPORT_TYPE_ACTIVITY}) {
    EXPECT_EQ(ReportTypeOf(ReportTypeText(t)), t);
  }
  for (v1::ReportState s : {v1::REPORT_STATE_DUE, v1::REPORT_STATE_SUBMITTED,
                            v1::REPORT_STATE_ACCEPTED, v1::REPORT_STATE_RETURNED}) {
    EXPECT_EQ(ReportStateOf(ReportStateText(s)), s);
  }
  EXPECT_EQ(ReportTypeOf("final"), v1::REPORT_TYPE_UNSPECIFIED);
  EXPECT_EQ(ReportStateText(v1::REPORT_STATE_UNSPECIFIED), "");
}

TEST(ReportRulesTest, OverdueOnlyAfterTheDueDayAndOnlyWhileOwed) {
  const absl::CivilDay due(2028, 1, 31);
  EXPECT_FALSE(IsReportOverdue(v1::REPORT_STATE_DUE, due, absl::CivilDay(2028, 1, 30)));
  EXPECT_FALSE(IsReportOverdue(v1::REPORT_STATE_DUE, due, due));  // the due day is on time
  EXPECT_TRUE(IsReportOverdue(v1::REPORT_STATE_DUE, due, absl::CivilDay(2028, 2, 1)));
  EXPECT_TRUE(IsReportOverdue(v1::REPORT_STATE_RETURNED, due, absl::CivilDay(2028, 2, 1)));
  EXPECT_FALSE(IsReportOverdue(v1::REPORT_STATE_SUBMITTED, due, absl::CivilDay(2028, 2, 1)));
  EXPECT_FALSE(IsReportOverdue(v1::REPORT_STATE_ACCEPTED, due, absl::CivilDay(2029, 1, 1)));
}

TEST(ReportRulesTest, CompleteSubmissionsPassForEveryType) {
  for (v1::ReportType t : {v1::REPORT_TYPE_INTERIM, v1::REPORT_TYPE_FINAL,
                           v1::REPORT_TYPE_FINANCIAL, v1::REPORT_TYPE_ACTIVITY}) {
    EXPECT_TRUE(CheckReportSubmission(t, Complete()).ok()) << ReportTypeText(t);
  }
}

TEST(ReportRulesTest, MoneyUsedIsRequiredForFinalAndFinancialOnly) {
  v1::Report r = Complete();
  r.clear_used_amount();
  EXPECT_THAT(Fields(CheckReportSubmission(v1::REPORT_TYPE_FINAL, r)),
              ElementsAre("report.used_amount"));
  EXPECT_THAT(Fields(CheckReportSubmission(v1::REPORT_TYPE_FINANCIAL, r)),
              ElementsAre("report.used_amount"));
  EXPECT_TRUE(CheckReportSubmission(v1::REPORT_TYPE_ACTIVITY, r).ok());
  EXPECT_TRUE(CheckReportSubmission(v1::REPORT_TYPE_INTERIM, r).ok());
  // Zero is a statement ("nothing used"), not a missing value.
  r.mutable_used_amount()->set_ore(0);
  EXPECT_TRUE(CheckReportSubmission(v1::REPORT_TYPE_FINAL, r).ok());
}

TEST(ReportRulesTest, NegativeAmountsAndCountsAreRejectedTogether) {
  v1::Report r = Complete();
  r.mutable_used_amount()->set_ore(-1);
  r.mutable_participants()->set_women(-1);
  r.mutable_participants()->set_other(-3);
  const absl::Status st = CheckReportSubmission(v1::REPORT_TYPE_FINAL, r);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Fields(st),
              UnorderedElementsAre("report.used_amount.ore", "report.participants.women",
                                   "report.participants.other"));
}

TEST(ReportRulesTest, NarrativeIsRequiredExceptInFinancialReports) {
  v1::Report r = Complete();
  r.set_activities("  ");
  r.clear_outcomes();
  for (v1::ReportType t :
       {v1::REPORT_TYPE_FINAL, v1::REPORT_TYPE_ACTIVITY, v1::REPORT_TYPE_INTERIM}) {
    EXPECT_THAT(Fields(CheckReportSubmission(t, r)),
                UnorderedElementsAre("report.activities", "report.outcomes"))
        << ReportTypeText(t);
  }
  EXPECT_TRUE(CheckReportSubmission(v1::REPORT_TYPE_FINANCIAL, r).ok());
  r.set_activities(std::string(kMaxReportTextBytes + 1, 'x'));
  EXPECT_THAT(Fields(CheckReportSubmission(v1::REPORT_TYPE_FINANCIAL, r)),
              ElementsAre("report.activities"));
}

TEST(ReportRulesTest, AcceptedAmountDefaultsToTheUseAndMayNotExceedIt) {
  v1::AcceptReportRequest req;
  absl::StatusOr<int64_t> all = AcceptedReportAmount(req, 123'456'78);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, 123'456'78);

  req.mutable_accepted_amount()->set_ore(100'000'01);
  absl::StatusOr<int64_t> part = AcceptedReportAmount(req, 123'456'78);
  ASSERT_TRUE(part.ok());
  EXPECT_EQ(*part, 100'000'01);

  req.mutable_accepted_amount()->set_ore(0);
  EXPECT_EQ(*AcceptedReportAmount(req, 5), 0);

  req.mutable_accepted_amount()->set_ore(123'456'79);
  absl::StatusOr<int64_t> above = AcceptedReportAmount(req, 123'456'78);
  EXPECT_EQ(above.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(above.status()), kReasonAcceptedAboveUsed);
  EXPECT_THAT(Fields(above.status()), ElementsAre("accepted_amount.ore"));

  req.mutable_accepted_amount()->set_ore(-1);
  EXPECT_THAT(Fields(AcceptedReportAmount(req, 10).status()), ElementsAre("accepted_amount.ore"));
}

TEST(ReportRulesTest, ReturnNeedsAComment) {
  v1::ReturnReportRequest req;
  EXPECT_THAT(Fields(CheckReportReturn(req)), ElementsAre("comment"));
  req.set_comment("\t \n");
  EXPECT_THAT(Fields(CheckReportReturn(req)), ElementsAre("comment"));
  req.set_comment("Deltagarna saknar uppdelning per kön");
  EXPECT_TRUE(CheckReportReturn(req).ok());
}

}  // namespace
}  // namespace integration::grants
