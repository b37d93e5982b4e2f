// Unit tests of the call rules: fields, money bounds, criteria and the state machine.
#include "rules/call_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "integration/status/status.h"

namespace integration::grants {
namespace {

using ::testing::ElementsAre;

v1::Call Valid() {
  v1::Call c;
  c.set_title("Flyktingguider 2027");
  c.mutable_open_time()->set_seconds(1'800'000'000);
  c.mutable_close_time()->set_seconds(1'800'000'000 + 86400 * 30);
  c.mutable_budget()->set_ore(500'000'000);
  c.mutable_max_amount_per_application()->set_ore(50'000'000);
  auto* f = c.mutable_funding_period();
  f->mutable_start_date()->set_year(2027);
  f->mutable_start_date()->set_month(1);
  f->mutable_start_date()->set_day(1);
  f->mutable_end_date()->set_year(2027);
  f->mutable_end_date()->set_month(12);
  f->mutable_end_date()->set_day(31);
  v1::Criterion* k = c.add_criteria();
  k->set_id("need");
  k->set_title("Behov");
  k->set_weight(3);
  return c;
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

TEST(CallRulesTest, AcceptsACompleteCall) { EXPECT_TRUE(ValidateCall(Valid(), "call").ok()); }

TEST(CallRulesTest, RequiresTitleAndTimes) {
  v1::Call c = Valid();
  c.clear_title();
  c.clear_open_time();
  c.clear_close_time();
  absl::Status st = ValidateCall(c, "call");
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(st), kReasonCallInvalid);
  EXPECT_THAT(Fields(st), ElementsAre("call.title", "call.open_time", "call.close_time"));
}

TEST(CallRulesTest, OpenMustBeBeforeClose) {
  v1::Call c = Valid();
  *c.mutable_close_time() = c.open_time();
  EXPECT_THAT(Fields(ValidateCall(c, "call")), ElementsAre("call.close_time"));
  c.mutable_close_time()->set_nanos(1);
  EXPECT_TRUE(ValidateCall(c, "call").ok());
}

TEST(CallRulesTest, BudgetAndMaximum) {
  v1::Call c = Valid();
  c.mutable_budget()->set_ore(0);
  c.mutable_max_amount_per_application()->set_ore(-5);
  EXPECT_THAT(Fields(ValidateCall(c, "call")),
              ElementsAre("call.budget", "call.max_amount_per_application"));
  c = Valid();
  c.mutable_max_amount_per_application()->set_ore(c.budget().ore() + 1);
  EXPECT_THAT(Fields(ValidateCall(c, "call")), ElementsAre("call.max_amount_per_application"));
  c.mutable_max_amount_per_application()->set_ore(c.budget().ore());
  EXPECT_TRUE(ValidateCall(c, "call").ok());
}

TEST(CallRulesTest, FundingPeriodMustBeCompleteAndOrdered) {
  v1::Call c = Valid();
  c.clear_funding_period();
  EXPECT_THAT(Fields(ValidateCall(c, "call")), ElementsAre("call.funding_period"));
  c = Valid();
  c.mutable_funding_period()->mutable_end_date()->set_year(2026);
  EXPECT_THAT(Fields(ValidateCall(c, "call")), ElementsAre("call.funding_period.end_date"));
  c = Valid();
  c.mutable_funding_period()->mutable_start_date()->set_month(2);
  c.mutable_funding_period()->mutable_start_date()->set_day(30);
  EXPECT_THAT(Fields(ValidateCall(c, "call")), ElementsAre("call.funding_period.start_date"));
}

TEST(CallRulesTest, CriteriaIdsUniqueAndWeightsBounded) {
  v1::Call c = Valid();
  c.clear_criteria();
  EXPECT_THAT(Fields(ValidateCall(c, "call")), ElementsAre("call.criteria"));
  c = Valid();
  v1::Criterion* dup = c.add_criteria();
  dup->set_id("need");
  dup->set_title("Igen");
  dup->set_weight(100);
  v1::Criterion* bad = c.add_criteria();
  bad->set_id("Bad_Id");
  bad->set_weight(0);
  v1::Criterion* heavy = c.add_criteria();
  heavy->set_id(std::string(40, 'a'));
  heavy->set_title("Lång");
  heavy->set_weight(101);
  EXPECT_THAT(Fields(ValidateCall(c, "call")),
              ElementsAre("call.criteria[1].id", "call.criteria[2].id", "call.criteria[2].title",
                          "call.criteria[2].weight", "call.criteria[3].weight"));
  EXPECT_TRUE(IsValidCriterionId("a"));
  EXPECT_FALSE(IsValidCriterionId(std::string(41, 'a')));
  EXPECT_FALSE(IsValidCriterionId(""));
}

TEST(CallRulesTest, StateMachine) {
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  const absl::Time later = now + absl::Hours(1);
  const std::string_view name = "calls/7";
  auto next = [&](CallAction a, v1::CallState s, absl::Time close = absl::InfiniteFuture()) {
    return NextCallState(a, s, close, now, name);
  };
  EXPECT_EQ(*next(CallAction::kUpdate, v1::CALL_STATE_DRAFT), v1::CALL_STATE_DRAFT);
  EXPECT_EQ(*next(CallAction::kOpen, v1::CALL_STATE_DRAFT, later), v1::CALL_STATE_OPEN);
  EXPECT_EQ(*next(CallAction::kClose, v1::CALL_STATE_OPEN), v1::CALL_STATE_CLOSED);
  EXPECT_EQ(*next(CallAction::kArchive, v1::CALL_STATE_CLOSED), v1::CALL_STATE_ARCHIVED);

  absl::StatusOr<v1::CallState> st = next(CallAction::kUpdate, v1::CALL_STATE_OPEN);
  EXPECT_EQ(st.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(st.status()), kReasonCallNotDraft);
  EXPECT_EQ(Reason(next(CallAction::kOpen, v1::CALL_STATE_OPEN).status()), kReasonCallNotDraft);
  EXPECT_EQ(Reason(next(CallAction::kOpen, v1::CALL_STATE_DRAFT, now).status()),
            kReasonCallCloseTimePassed);
  EXPECT_EQ(Reason(next(CallAction::kClose, v1::CALL_STATE_DRAFT).status()), kReasonCallNotOpen);
  EXPECT_EQ(Reason(next(CallAction::kClose, v1::CALL_STATE_CLOSED).status()), kReasonCallNotOpen);
  EXPECT_EQ(Reason(next(CallAction::kArchive, v1::CALL_STATE_OPEN).status()), kReasonCallNotClosed);
  EXPECT_EQ(Reason(next(CallAction::kArchive, v1::CALL_STATE_ARCHIVED).status()),
            kReasonCallNotClosed);
  std::optional<google::rpc::ErrorInfo> info =
      status::GetErrorInfo(next(CallAction::kArchive, v1::CALL_STATE_DRAFT).status());
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->metadata().at("state"), "DRAFT");
  EXPECT_EQ(info->metadata().at("resource"), "calls/7");
}

TEST(CallRulesTest, StoredStateNames) {
  EXPECT_EQ(StoredCallState(v1::CALL_STATE_OPEN), "OPEN");
  EXPECT_EQ(StoredCallState(v1::CALL_STATE_ARCHIVED), "ARCHIVED");
  EXPECT_EQ(StoredCallState(v1::CALL_STATE_UNSPECIFIED), "");
}

}  // namespace
}  // namespace integration::grants
