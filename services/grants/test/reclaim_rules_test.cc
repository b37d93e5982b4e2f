// Unit tests of the reclaim rules: accepted use, when each reason is warranted, the amount in
// exact öre, and the settle and waive fields.
#include "rules/reclaim_rules.h"

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

constexpr char kApp[] = "calls/1/applications/2";
const absl::CivilDay kToday(2028, 3, 1);

std::string Reason(const absl::Status& st) {
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(st);
  return info ? info->reason() : "";
}

std::string Meta(const absl::Status& st, const std::string& key) {
  std::optional<google::rpc::ErrorInfo> info = status::GetErrorInfo(st);
  if (!info) return "";
  auto it = info->metadata().find(key);
  return it == info->metadata().end() ? "" : it->second;
}

std::vector<std::string> Fields(const absl::Status& st) {
  std::vector<std::string> out;
  if (std::optional<google::rpc::BadRequest> br = status::GetBadRequest(st)) {
    for (const auto& v : br->field_violations()) out.push_back(v.field());
  }
  return out;
}

ReclaimReportFacts Report(v1::ReportType type, v1::ReportState state, absl::CivilDay due,
                          int64_t accepted = 0) {
  return {.type = type, .state = state, .due_date = due, .accepted_ore = accepted};
}

TEST(ReclaimRulesTest, AcceptedUseIsTheLargestAcceptedAccountingReportNotASum) {
  const absl::CivilDay due(2028, 1, 31);
  EXPECT_EQ(AcceptedUse({}), 0);
  EXPECT_EQ(AcceptedUse({Report(v1::REPORT_TYPE_FINAL, v1::REPORT_STATE_ACCEPTED, due, 700),
                         Report(v1::REPORT_TYPE_FINANCIAL, v1::REPORT_STATE_ACCEPTED, due, 900),
                         // Interim and activity reports do not account for the money.
                         Report(v1::REPORT_TYPE_INTERIM, v1::REPORT_STATE_ACCEPTED, due, 5000),
                         // Only accepted amounts count.
                         Report(v1::REPORT_TYPE_FINAL, v1::REPORT_STATE_SUBMITTED, due, 9999)}),
            900);
}

TEST(ReclaimRulesTest, UnusedFundsIsPaidMinusAcceptedUseInExactOre) {
  const std::vector<ReclaimReportFacts> reports = {
      Report(v1::REPORT_TYPE_FINAL, v1::REPORT_STATE_ACCEPTED, absl::CivilDay(2028, 1, 31),
             123'456'789'01)};
  absl::StatusOr<int64_t> amount =
      ReclaimAmount(v1::RECLAIM_REASON_UNUSED_FUNDS, 200'000'000'03, reports, kToday, kApp);
  ASSERT_TRUE(amount.ok()) << amount.status();
  EXPECT_EQ(*amount, 76'543'211'02);
}

TEST(ReclaimRulesTest, UnusedFundsNeedsAnAcceptedAccountingReport) {
  const absl::CivilDay due(2028, 1, 31);
  for (const std::vector<ReclaimReportFacts>& reports :
       std::vector<std::vector<ReclaimReportFacts>>{
           {},
           {Report(v1::REPORT_TYPE_FINAL, v1::REPORT_STATE_SUBMITTED, due)},
           {Report(v1::REPORT_TYPE_ACTIVITY, v1::REPORT_STATE_ACCEPTED, due, 10)}}) {
    absl::StatusOr<int64_t> amount =
        ReclaimAmount(v1::RECLAIM_REASON_UNUSED_FUNDS, 1000, reports, kToday, kApp);
    EXPECT_EQ(amount.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(Reason(amount.status()), kReasonReclaimNotWarranted);
    EXPECT_EQ(Meta(amount.status(), "basis"), "NO_ACCEPTED_ACCOUNTING_REPORT");
    EXPECT_EQ(Meta(amount.status(), "application"), kApp);
  }
}

TEST(ReclaimRulesTest, NothingToReclaimWhenTheUseCoversThePayment) {
  const std::vector<ReclaimReportFacts> reports = {Report(
      v1::REPORT_TYPE_FINANCIAL, v1::REPORT_STATE_ACCEPTED, absl::CivilDay(2028, 1, 31), 1000)};
  for (int64_t paid : {999, 1000}) {
    absl::StatusOr<int64_t> amount =
        ReclaimAmount(v1::RECLAIM_REASON_UNUSED_FUNDS, paid, reports, kToday, kApp);
    EXPECT_EQ(Reason(amount.status()), kReasonReclaimNotWarranted);
    EXPECT_EQ(Meta(amount.status(), "basis"), "NOTHING_TO_RECLAIM");
    EXPECT_EQ(Meta(amount.status(), "paid_ore"), std::to_string(paid));
    EXPECT_EQ(Meta(amount.status(), "accepted_use_ore"), "1000");
  }
  EXPECT_EQ(*ReclaimAmount(v1::RECLAIM_REASON_UNUSED_FUNDS, 1001, reports, kToday, kApp), 1);
}

TEST(ReclaimRulesTest, ReportMissingOnlyOnceTheFinalReportIsOverdue) {
  const absl::CivilDay due(2028, 2, 29);
  // Due yesterday and still owed (DUE or RETURNED): the whole payment is reclaimed.
  for (v1::ReportState owed : {v1::REPORT_STATE_DUE, v1::REPORT_STATE_RETURNED}) {
    absl::StatusOr<int64_t> amount =
        ReclaimAmount(v1::RECLAIM_REASON_REPORT_MISSING, 5000,
                      {Report(v1::REPORT_TYPE_FINAL, owed, due)}, kToday, kApp);
    ASSERT_TRUE(amount.ok()) << amount.status();
    EXPECT_EQ(*amount, 5000);
  }
  // Due today, submitted, accepted, or only an interim report overdue: not missing.
  for (const ReclaimReportFacts& r :
       {Report(v1::REPORT_TYPE_FINAL, v1::REPORT_STATE_DUE, kToday),
        Report(v1::REPORT_TYPE_FINAL, v1::REPORT_STATE_SUBMITTED, due),
        Report(v1::REPORT_TYPE_INTERIM, v1::REPORT_STATE_DUE, due)}) {
    absl::StatusOr<int64_t> amount =
        ReclaimAmount(v1::RECLAIM_REASON_REPORT_MISSING, 5000, {r}, kToday, kApp);
    EXPECT_EQ(Reason(amount.status()), kReasonReclaimNotWarranted);
    EXPECT_EQ(Meta(amount.status(), "basis"), "REPORT_NOT_OVERDUE");
  }
}

TEST(ReclaimRulesTest, ReportMissingFallsBackToTheFinancialReportWithoutAFinalOne) {
  const absl::CivilDay due(2028, 1, 1);
  absl::StatusOr<int64_t> amount =
      ReclaimAmount(v1::RECLAIM_REASON_REPORT_MISSING, 700,
                    {Report(v1::REPORT_TYPE_FINANCIAL, v1::REPORT_STATE_DUE, due),
                     Report(v1::REPORT_TYPE_ACTIVITY, v1::REPORT_STATE_ACCEPTED, due)},
                    kToday, kApp);
  ASSERT_TRUE(amount.ok());
  EXPECT_EQ(*amount, 700);
  // With a FINAL requirement, an overdue FINANCIAL report alone does not count.
  absl::StatusOr<int64_t> not_final =
      ReclaimAmount(v1::RECLAIM_REASON_REPORT_MISSING, 700,
                    {Report(v1::REPORT_TYPE_FINANCIAL, v1::REPORT_STATE_DUE, due),
                     Report(v1::REPORT_TYPE_FINAL, v1::REPORT_STATE_SUBMITTED, due)},
                    kToday, kApp);
  EXPECT_EQ(Reason(not_final.status()), kReasonReclaimNotWarranted);
}

TEST(ReclaimRulesTest, RequestFields) {
  v1::Reclaim r;
  EXPECT_THAT(Fields(CheckReclaimRequest(r)), ElementsAre("reclaim.reason"));
  r.set_reason(v1::RECLAIM_REASON_UNUSED_FUNDS);
  EXPECT_TRUE(CheckReclaimRequest(r).ok());
  r.set_comment(std::string(kMaxReclaimTextBytes + 1, 'x'));
  EXPECT_THAT(Fields(CheckReclaimRequest(r)), ElementsAre("reclaim.comment"));
}

TEST(ReclaimRulesTest, SettleNeedsAPositiveAmountAndAReference) {
  v1::SettleReclaimRequest req;
  EXPECT_THAT(Fields(CheckSettleRequest(req)),
              UnorderedElementsAre("settled_amount", "payment_reference"));
  req.mutable_settled_amount()->set_ore(0);
  req.set_payment_reference(" ");
  EXPECT_THAT(Fields(CheckSettleRequest(req)),
              UnorderedElementsAre("settled_amount.ore", "payment_reference"));
  req.mutable_settled_amount()->set_ore(1);
  req.set_payment_reference("BG 5050-1055 OCR 4711");
  EXPECT_TRUE(CheckSettleRequest(req).ok());

  EXPECT_TRUE(CheckSettledWithinAmount(500, 500).ok());
  const absl::Status above = CheckSettledWithinAmount(501, 500);
  EXPECT_EQ(above.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(above), kReasonSettledAboveAmount);
}

TEST(ReclaimRulesTest, WaiveNeedsAReason) {
  v1::WaiveReclaimRequest req;
  EXPECT_THAT(Fields(CheckWaiveRequest(req)), ElementsAre("reason"));
  req.set_reason("Beloppet understiger kostnaden för indrivning");
  EXPECT_TRUE(CheckWaiveRequest(req).ok());
}

}  // namespace
}  // namespace integration::grants
