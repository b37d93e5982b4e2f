// Unit tests of disbursement_rules: new instalments, the approved ceiling in öre (1/3 splits,
// sums near the int64 limit) and payment references.
#include "rules/disbursement_rules.h"

#include <cstdint>
#include <limits>
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

v1::Disbursement D(int64_t ore, int y, int m, int d) {
  v1::Disbursement out;
  out.mutable_amount()->set_ore(ore);
  out.mutable_scheduled_date()->set_year(y);
  out.mutable_scheduled_date()->set_month(m);
  out.mutable_scheduled_date()->set_day(d);
  return out;
}

TEST(CheckNewDisbursementTest, AmountAndDate) {
  EXPECT_TRUE(CheckNewDisbursement(D(1, 2027, 3, 1)).ok());
  EXPECT_TRUE(CheckNewDisbursement(D(kMax, 2027, 3, 1)).ok());
  absl::Status st = CheckNewDisbursement(D(0, 2027, 2, 30));
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(st), kReasonDisbursementInvalid);
  EXPECT_EQ(Fields(st),
            (std::vector<std::string>{"disbursement.amount", "disbursement.scheduled_date"}));
  EXPECT_EQ(Fields(CheckNewDisbursement(D(-5, 2027, 2, 28))),
            (std::vector<std::string>{"disbursement.amount"}));
  EXPECT_EQ(Fields(CheckNewDisbursement(v1::Disbursement())),
            (std::vector<std::string>{"disbursement.amount", "disbursement.scheduled_date"}));
}

TEST(CheckWithinApprovedTest, ThirdsOfAnOddAmount) {
  // 1 000 000 öre in three instalments: 333 333 + 333 333 + 333 334, not one öre more.
  const int64_t approved = 1'000'000;
  EXPECT_TRUE(CheckWithinApproved("a", approved, 0, 333'333).ok());
  EXPECT_TRUE(CheckWithinApproved("a", approved, 333'333, 333'333).ok());
  EXPECT_TRUE(CheckWithinApproved("a", approved, 666'666, 333'334).ok());
  absl::Status st = CheckWithinApproved("calls/1/applications/2", approved, 666'666, 333'335);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(st), kReasonExceedsApproved);
  const auto info = status::GetErrorInfo(st);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("approved_ore"), "1000000");
  EXPECT_EQ(info->metadata().at("committed_ore"), "666666");
  EXPECT_EQ(info->metadata().at("requested_ore"), "333335");
  EXPECT_EQ(info->metadata().at("remaining_ore"), "333334");
  EXPECT_EQ(info->metadata().at("application"), "calls/1/applications/2");
}

TEST(CheckWithinApprovedTest, NearInt64LimitNeverWraps) {
  EXPECT_TRUE(CheckWithinApproved("a", kMax, kMax - 1, 1).ok());
  EXPECT_EQ(Reason(CheckWithinApproved("a", kMax, kMax - 1, 2)), kReasonExceedsApproved);
  EXPECT_EQ(Reason(CheckWithinApproved("a", kMax, kMax, kMax)), kReasonExceedsApproved);
  EXPECT_EQ(Reason(CheckWithinApproved("a", 10, 0, kMax)), kReasonExceedsApproved);
}

TEST(CheckPaymentReferenceTest, RequiredPrintableBounded) {
  EXPECT_TRUE(CheckPaymentReference("BG 5050-1055 / 2027-0042").ok());
  EXPECT_TRUE(CheckPaymentReference(std::string(kMaxPaymentReferenceBytes, '7')).ok());
  for (const std::string& bad :
       {std::string(""), std::string(" x"), std::string("x "), std::string("a\nb"),
        std::string(kMaxPaymentReferenceBytes + 1, '7')}) {
    absl::Status st = CheckPaymentReference(bad);
    EXPECT_EQ(Reason(st), kReasonPaymentReferenceInvalid) << bad;
    EXPECT_EQ(Fields(st), (std::vector<std::string>{"payment_reference"}));
  }
}

}  // namespace
}  // namespace integration::grants
