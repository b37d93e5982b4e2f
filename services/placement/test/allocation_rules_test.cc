// The allocation key's validation and the choice of a kommun: furthest below share, its
// tie-break, strong links, sibling groups and corrections.
#include "rules/allocation_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "integration/status/status.h"
#include "integration/dates/day.h"
#include "violations.h"

namespace integration::placement {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

using testing::Violations;

v1::AllocationKey Key(int total, const std::vector<std::pair<std::string, int>>& shares) {
  v1::AllocationKey key;
  key.set_county_total_per_mille(total);
  for (const auto& [k, p] : shares) {
    v1::KommunShare* s = key.add_shares();
    s->set_kommunkod(k);
    s->set_per_mille(p);
  }
  return key;
}

TEST(CheckAllocationKeyTest, AcceptsAKeyOfTheCountySortedWithBaseDateNewYear) {
  absl::StatusOr<KeyDefinition> key =
      CheckAllocationKey(Key(30, {{"0380", 20}, {"0305", 4}, {"0360", 6}}), "03", 2027, "k");
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->base_date, absl::CivilDay(2027, 1, 1));
  ASSERT_EQ(key->shares.size(), 3u);
  EXPECT_EQ(key->shares[0].kommunkod, "0305");
  EXPECT_EQ(key->shares[2].kommunkod, "0380");
}

TEST(CheckAllocationKeyTest, RejectsSharesOutsideTheCountyBelowOneOrTwiceAndAWrongSum) {
  absl::StatusOr<KeyDefinition> key = CheckAllocationKey(
      Key(30, {{"0180", 10}, {"0380", 0}, {"0305", 5}, {"0305", 5}, {"9999", 1}}), "03", 2027, "k");
  ASSERT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status::GetErrorInfo(key.status())->reason(), kReasonAllocationKeyInvalid);
  EXPECT_THAT(Violations(key.status()),
              UnorderedElementsAre("k.shares[0].kommunkod", "k.shares[1].per_mille",
                                   "k.shares[3].kommunkod", "k.shares[4].kommunkod", "k.shares"));
}

TEST(CheckAllocationKeyTest, RejectsABadTotalNoSharesAndALateBaseDate) {
  v1::AllocationKey key = Key(0, {});
  key.mutable_base_date()->set_year(2027);
  key.mutable_base_date()->set_month(1);
  key.mutable_base_date()->set_day(2);
  EXPECT_THAT(Violations(CheckAllocationKey(key, "03", 2027, "k").status()),
              UnorderedElementsAre("k.county_total_per_mille", "k.shares", "k.base_date"));
  key = Key(10, {{"0380", 10}});
  *key.mutable_base_date() = dates::DateOf(absl::CivilDay(2026, 7, 1));
  absl::StatusOr<KeyDefinition> earlier = CheckAllocationKey(key, "03", 2027, "k");
  ASSERT_TRUE(earlier.ok()) << earlier.status();
  EXPECT_EQ(earlier->base_date, absl::CivilDay(2026, 7, 1));
}

KeyStanding Standing(std::map<std::string, int64_t> assigned) {
  KeyStanding key;
  key.name = "counties/03/allocationKeys/2027";
  key.county_total_per_mille = 30;
  key.shares = {{"0380", 20}, {"0305", 5}, {"0360", 5}};
  key.assigned = std::move(assigned);
  return key;
}

TEST(ChooseByKeyTest, PicksTheKommunFurthestBelowItsShareAndExplains) {
  // 10 assigned: Uppsala (2/3) has 5 of them, Håbo and Tierp (1/6 each) 4 and 1.
  const v1::Assignment a = ChooseByKey(Standing({{"0380", 5}, {"0305", 4}, {"0360", 1}}));
  // Deficits: 0380 20*11-5*30=70, 0305 5*11-4*30=-65, 0360 5*11-1*30=25.
  EXPECT_EQ(a.kommunkod(), "0380");
  EXPECT_EQ(a.basis(), v1::ASSIGNMENT_BASIS_ALLOCATION_KEY);
  EXPECT_EQ(a.explanation().allocation_key(), "counties/03/allocationKeys/2027");
  ASSERT_EQ(a.explanation().standings_size(), 3);
  EXPECT_EQ(a.explanation().standings(0).kommunkod(), "0305");
  EXPECT_EQ(a.explanation().standings(0).deficit(), -65);
  EXPECT_EQ(a.explanation().standings(1).deficit(), 25);
  EXPECT_EQ(a.explanation().standings(2).deficit(), 70);
  EXPECT_EQ(a.explanation().standings(2).assigned(), 5);
}

TEST(ChooseByKeyTest, TiesGoToTheLargerShareThenTheLowerKommunkod) {
  // Nothing assigned: every deficit equals the share; Uppsala's is the largest.
  EXPECT_EQ(ChooseByKey(Standing({})).kommunkod(), "0380");
  // Uppsala ahead: Håbo and Tierp tie on deficit and share, the lower code wins.
  EXPECT_EQ(ChooseByKey(Standing({{"0380", 2}})).kommunkod(), "0305");
  // Deterministic: the same standings give the same kommun.
  EXPECT_EQ(ChooseByKey(Standing({{"0380", 2}})).kommunkod(), "0305");
}

TEST(ChooseByKeyTest, OverManyChildrenEveryKommunTracksItsShare) {
  KeyStanding key = Standing({});
  for (int i = 0; i < 300; ++i) ++key.assigned[ChooseByKey(key).kommunkod()];
  EXPECT_EQ(key.assigned["0380"], 200);
  EXPECT_EQ(key.assigned["0305"], 50);
  EXPECT_EQ(key.assigned["0360"], 50);
}

TEST(ChooseByKeyTest, IgnoresAssignmentsToKommunerOutsideTheKey) {
  // A kommun without a share (e.g. a strong link there) counts for nobody's standing.
  const v1::Assignment a = ChooseByKey(Standing({{"0331", 50}, {"0380", 1}}));
  EXPECT_EQ(a.explanation().standings(2).deficit(), 20 * 2 - 30);
  EXPECT_EQ(a.kommunkod(), "0380");
}

TEST(DecideAssignmentTest, SiblingThenStrongLinkThenKeyElseWaiting) {
  AssignmentInput input;
  EXPECT_FALSE(DecideAssignment(input).has_value());
  input.key = Standing({});
  EXPECT_EQ(DecideAssignment(input)->basis(), v1::ASSIGNMENT_BASIS_ALLOCATION_KEY);
  input.strong_link_kommunkod = "0360";
  std::optional<v1::Assignment> link = DecideAssignment(input);
  EXPECT_EQ(link->kommunkod(), "0360");
  EXPECT_EQ(link->basis(), v1::ASSIGNMENT_BASIS_STRONG_LINK);
  input.sibling = AssignmentInput::Sibling{"children/4", "0305"};
  std::optional<v1::Assignment> sibling = DecideAssignment(input);
  EXPECT_EQ(sibling->kommunkod(), "0305");
  EXPECT_EQ(sibling->basis(), v1::ASSIGNMENT_BASIS_SIBLING_GROUP);
  EXPECT_EQ(sibling->explanation().sibling(), "children/4");
}

TEST(CorrectedAssignmentTest, KeepsThePreviousKommunAndTheReason) {
  v1::Assignment current;
  current.set_kommunkod("0380");
  const v1::Assignment c = CorrectedAssignment(current, "0305", "Morbror bor i Håbo");
  EXPECT_EQ(c.kommunkod(), "0305");
  EXPECT_EQ(c.basis(), v1::ASSIGNMENT_BASIS_CORRECTION);
  EXPECT_EQ(c.explanation().previous_kommunkod(), "0380");
  EXPECT_EQ(c.explanation().reason(), "Morbror bor i Håbo");
}

}  // namespace
}  // namespace integration::placement

namespace integration::placement {
namespace {

v1::ShareTransfer Transfer(std::string from, std::string to, int per_mille) {
  v1::ShareTransfer t;
  t.set_from_kommunkod(std::move(from));
  t.set_to_kommunkod(std::move(to));
  t.set_per_mille(per_mille);
  t.set_agreement("Överenskommelse 2027-02-01, dnr 851-77-2027");
  return t;
}

TEST(ShareTransferTest, ChecksKommunerOfTheCountyAmountAndAgreement) {
  EXPECT_TRUE(CheckShareTransfer(Transfer("0380", "0305", 2), "03", "t").ok());
  v1::ShareTransfer bad = Transfer("0180", "0180", 0);
  bad.clear_agreement();
  const absl::Status st = CheckShareTransfer(bad, "03", "t");
  EXPECT_EQ(status::GetErrorInfo(st)->reason(), kReasonTransferInvalid);
  EXPECT_THAT(Violations(st), UnorderedElementsAre("t.from_kommunkod", "t.to_kommunkod",
                                                   "t.to_kommunkod", "t.per_mille", "t.agreement"));
}

TEST(ShareTransferTest, MovesShareAndKeepsTheTotalButNeverBelowOnePerMille) {
  const std::map<std::string, int> shares = {{"0380", 20}, {"0305", 5}};
  absl::StatusOr<std::map<std::string, int>> moved = ApplyShareTransfer(shares, "0380", "0360", 4);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(*moved, (std::map<std::string, int>{{"0305", 5}, {"0360", 4}, {"0380", 16}}));
  EXPECT_TRUE(ApplyShareTransfer(shares, "0305", "0380", 4).ok());
  EXPECT_EQ(status::GetErrorInfo(ApplyShareTransfer(shares, "0305", "0380", 5).status())->reason(),
            kReasonShareBelowMinimum);
  EXPECT_EQ(status::GetErrorInfo(ApplyShareTransfer(shares, "0331", "0380", 1).status())->reason(),
            kReasonShareBelowMinimum);
}

}  // namespace
}  // namespace integration::placement
