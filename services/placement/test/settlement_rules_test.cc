// The settlement rules: the largest-remainder split (a property test over random inputs: the
// parts always sum to the total and each is its quota rounded down or up), proposals from
// weighted factors with the kommun list's population, the decision's sum invariant, the 2-month
// due date at month ends and in leap years, the state on a day, and the follow-up with its CSV.
#include "rules/settlement_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "integration/dates/day.h"
#include "integration/status/status.h"
#include "violations.h"

namespace integration::placement {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;
using testing::Violations;

std::string ReasonOf(const absl::Status& st) {
  auto info = status::GetErrorInfo(st);
  return info ? info->reason() : "";
}

TEST(SplitLargestRemainderTest, GivesTheLeftUnitsToTheLargestRemainders) {
  // Quotas 10 × (5, 3, 2) / 10 exact; 7 × (5, 3, 2) / 10 = 3.5, 2.1, 1.4: floors 3, 2, 1, one
  // unit left for the largest remainder (0.5).
  EXPECT_THAT(*SplitLargestRemainder(10, {5, 3, 2}), ElementsAre(5, 3, 2));
  EXPECT_THAT(*SplitLargestRemainder(7, {5, 3, 2}), ElementsAre(4, 2, 1));
  // Equal remainders: the larger weight first, then the lower index.
  EXPECT_THAT(*SplitLargestRemainder(1, {1, 1, 1}), ElementsAre(1, 0, 0));
  EXPECT_THAT(*SplitLargestRemainder(2, {1, 1, 1}), ElementsAre(1, 1, 0));
  EXPECT_THAT(*SplitLargestRemainder(1, {2, 1, 2, 1}), ElementsAre(1, 0, 0, 0));
  // A weight of 0 gets nothing; a total of 0 gives nothing.
  EXPECT_THAT(*SplitLargestRemainder(5, {0, 1, 0}), ElementsAre(0, 5, 0));
  EXPECT_THAT(*SplitLargestRemainder(0, {3, 4}), ElementsAre(0, 0));
}

TEST(SplitLargestRemainderTest, RefusesWhatCannotBeSplit) {
  EXPECT_FALSE(SplitLargestRemainder(5, {0, 0}).ok());
  EXPECT_FALSE(SplitLargestRemainder(5, {}).ok());
  EXPECT_FALSE(SplitLargestRemainder(5, {3, -1}).ok());
  EXPECT_FALSE(SplitLargestRemainder(-1, {3, 1}).ok());
}

// The property: over random totals and weights (small and huge, many zeros, many ties), the
// parts sum to the total exactly, each lies within one of its exact quota (its floor or its
// ceiling), and no part that was rounded down has a larger remainder than one rounded up.
TEST(SplitLargestRemainderTest, PartsAlwaysSumToTheTotalOverRandomInputs) {
  std::mt19937_64 rng(20261207);
  for (int round = 0; round < 20000; ++round) {
    const int n = std::uniform_int_distribution<int>(1, 60)(rng);
    const int total = std::uniform_int_distribution<int>(0, round % 3 == 0 ? 100000 : 500)(rng);
    const int64_t max_weight = round % 4 == 0 ? 3 : (round % 4 == 1 ? 1000000000000LL : 100000);
    std::vector<int64_t> weights(n);
    __int128 sum = 0;
    for (int64_t& w : weights) {
      w = std::uniform_int_distribution<int>(0, 4)(rng) == 0
              ? 0
              : std::uniform_int_distribution<int64_t>(0, max_weight)(rng);
      sum += w;
    }
    if (sum == 0) {
      weights[0] = 1;
      sum = 1;
    }
    absl::StatusOr<std::vector<int>> parts = SplitLargestRemainder(total, weights);
    ASSERT_TRUE(parts.ok()) << parts.status();
    ASSERT_EQ(parts->size(), weights.size());
    int64_t got = 0;
    __int128 max_down = -1;     // the largest remainder of a part left at its floor
    __int128 min_up = sum + 1;  // the smallest remainder of a part raised to its ceiling
    for (int i = 0; i < n; ++i) {
      const __int128 exact = static_cast<__int128>(total) * weights[i];
      const int64_t floor = static_cast<int64_t>(exact / sum);
      const __int128 remainder = exact % sum;
      got += (*parts)[i];
      ASSERT_TRUE((*parts)[i] == floor || ((*parts)[i] == floor + 1 && remainder > 0))
          << "round " << round << " part " << i;
      if ((*parts)[i] == floor && remainder > max_down) max_down = remainder;
      if ((*parts)[i] == floor + 1 && remainder < min_up) min_up = remainder;
    }
    ASSERT_EQ(got, total) << "round " << round;
    ASSERT_LE(max_down, min_up) << "round " << round;
  }
}

v1::SettlementBasis Basis(const std::map<v1::SettlementFactor, double>& weights,
                          const std::vector<std::pair<std::string, double>>& housing) {
  v1::SettlementBasis basis;
  for (const auto& [factor, weight] : weights) {
    v1::FactorWeight* w = basis.add_weights();
    w->set_factor(factor);
    w->set_weight(weight);
  }
  for (const auto& [kommun, value] : housing) {
    v1::KommunFactors* k = basis.add_kommuner();
    k->set_kommunkod(kommun);
    v1::FactorValue* v = k->add_values();
    v->set_factor(v1::SETTLEMENT_FACTOR_HOUSING);
    v->set_value(value);
  }
  return basis;
}

TEST(CheckBasisTest, FillsThePopulationFromTheKommunListAndSortsByKommun) {
  absl::StatusOr<CheckedBasis> checked = CheckBasis(
      Basis({{v1::SETTLEMENT_FACTOR_POPULATION, 1}}, {{"0380", 1}, {"0305", 1}}), "03", "basis");
  ASSERT_TRUE(checked.ok()) << checked.status();
  ASSERT_EQ(checked->basis.kommuner_size(), 2);
  EXPECT_EQ(checked->basis.kommuner(0).kommunkod(), "0305");
  EXPECT_GT(checked->basis.kommuner(0).population(), 10000);   // Håbo
  EXPECT_GT(checked->basis.kommuner(1).population(), 200000);  // Uppsala
  EXPECT_GT(checked->basis.kommuner(1).population_year(), 2000);
}

TEST(CheckBasisTest, NamesEveryBadField) {
  v1::SettlementBasis basis =
      Basis({{v1::SETTLEMENT_FACTOR_HOUSING, -1}}, {{"0180", 1}, {"0380", 1}, {"0380", 2}});
  basis.add_weights()->set_weight(1);  // no factor
  v1::FactorValue* population = basis.mutable_kommuner(1)->add_values();
  population->set_factor(v1::SETTLEMENT_FACTOR_POPULATION);
  absl::Status st = CheckBasis(basis, "03", "basis").status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(st), kReasonBasisInvalid);
  EXPECT_THAT(Violations(st),
              UnorderedElementsAre("basis.weights[0].weight", "basis.weights[1].factor",
                                   "basis.kommuner[0].kommunkod", "basis.kommuner[2].kommunkod",
                                   "basis.kommuner[1].values[1].factor"));
  EXPECT_THAT(
      Violations(CheckBasis(Basis({{v1::SETTLEMENT_FACTOR_HOUSING, 0}}, {}), "03", "b").status()),
      UnorderedElementsAre("b.weights", "b.kommuner"));
}

TEST(SplitCountyNumberTest, WeighsTheFactorsAndSumsToTheCountyNumber) {
  // Housing alone, 3 : 1: 100 persons split 75 / 25.
  absl::StatusOr<CheckedBasis> housing = CheckBasis(
      Basis({{v1::SETTLEMENT_FACTOR_HOUSING, 1}}, {{"0380", 3}, {"0305", 1}}), "03", "b");
  ASSERT_TRUE(housing.ok());
  absl::StatusOr<std::vector<v1::KommunNumber>> numbers = SplitCountyNumber(100, housing->basis);
  ASSERT_TRUE(numbers.ok()) << numbers.status();
  ASSERT_EQ(numbers->size(), 2u);
  EXPECT_EQ((*numbers)[0].kommunkod(), "0305");
  EXPECT_EQ((*numbers)[0].persons(), 25);
  EXPECT_EQ((*numbers)[1].persons(), 75);
  EXPECT_DOUBLE_EQ((*numbers)[1].score(), 0.75);

  // Half population, half housing (equal): Uppsala's population dominates the first half.
  absl::StatusOr<CheckedBasis> mixed = CheckBasis(
      Basis({{v1::SETTLEMENT_FACTOR_POPULATION, 50}, {v1::SETTLEMENT_FACTOR_HOUSING, 50}},
            {{"0380", 1}, {"0305", 1}, {"0360", 1}}),
      "03", "b");
  ASSERT_TRUE(mixed.ok());
  for (int total : {0, 1, 7, 101, 333}) {
    numbers = SplitCountyNumber(total, mixed->basis);
    ASSERT_TRUE(numbers.ok());
    int sum = 0;
    for (const v1::KommunNumber& n : *numbers) sum += n.persons();
    EXPECT_EQ(sum, total);
  }
  numbers = SplitCountyNumber(300, mixed->basis);
  EXPECT_GT((*numbers)[2].persons(), (*numbers)[0].persons());  // Uppsala > Håbo
  EXPECT_GT((*numbers)[0].persons(), 33);                       // each at least its housing half

  // Only a factor nobody has: no scores.
  absl::StatusOr<CheckedBasis> none =
      CheckBasis(Basis({{v1::SETTLEMENT_FACTOR_HOUSING, 1}}, {{"0380", 0}}), "03", "b");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(SplitCountyNumber(10, none->basis).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(KommunNumbersTest, ChecksTheNumbersAndTheSumInvariant) {
  google::protobuf::RepeatedPtrField<v1::KommunNumber> numbers;
  auto add = [&](const std::string& k, int p) {
    v1::KommunNumber* n = numbers.Add();
    n->set_kommunkod(k);
    n->set_persons(p);
  };
  add("0380", 60);
  add("0305", 40);
  absl::StatusOr<std::map<std::string, int>> checked = CheckKommunNumbers(numbers, "03", "k");
  ASSERT_TRUE(checked.ok());
  EXPECT_TRUE(CheckSumEquals(*checked, 100).ok());
  absl::Status st = CheckSumEquals(*checked, 101);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(st), kReasonSumMismatch);

  add("0305", 1);
  add("0180", 1);
  add("0360", -1);
  st = CheckKommunNumbers(numbers, "03", "k").status();
  EXPECT_EQ(ReasonOf(st), kReasonQuotaInvalid);
  EXPECT_THAT(Violations(st),
              UnorderedElementsAre("k[2].kommunkod", "k[3].kommunkod", "k[4].persons"));
}

TEST(SettlementDueDateTest, IsTwoMonthsLaterClampedToTheMonthsEnd) {
  EXPECT_EQ(SettlementDueDate(absl::CivilDay(2027, 3, 15)), absl::CivilDay(2027, 5, 15));
  EXPECT_EQ(SettlementDueDate(absl::CivilDay(2027, 11, 20)), absl::CivilDay(2028, 1, 20));
  // Month ends: to a shorter month its last day, to a longer one the same day.
  EXPECT_EQ(SettlementDueDate(absl::CivilDay(2027, 12, 31)), absl::CivilDay(2028, 2, 29));  // leap
  EXPECT_EQ(SettlementDueDate(absl::CivilDay(2026, 12, 31)), absl::CivilDay(2027, 2, 28));
  EXPECT_EQ(SettlementDueDate(absl::CivilDay(2027, 12, 29)), absl::CivilDay(2028, 2, 29));
  EXPECT_EQ(SettlementDueDate(absl::CivilDay(2027, 12, 30)), absl::CivilDay(2028, 2, 29));
  EXPECT_EQ(SettlementDueDate(absl::CivilDay(2028, 12, 29)), absl::CivilDay(2029, 2, 28));
  EXPECT_EQ(SettlementDueDate(absl::CivilDay(2027, 7, 31)), absl::CivilDay(2027, 9, 30));
  EXPECT_EQ(SettlementDueDate(absl::CivilDay(2027, 8, 31)), absl::CivilDay(2027, 10, 31));
  // 29 February to 29 April; 28 February to 28 April.
  EXPECT_EQ(SettlementDueDate(absl::CivilDay(2028, 2, 29)), absl::CivilDay(2028, 4, 29));
  EXPECT_EQ(SettlementDueDate(absl::CivilDay(2027, 2, 28)), absl::CivilDay(2027, 4, 28));
}

TEST(SettlementStateOnTest, OverdueTheDayAfterTheDueDate) {
  const absl::CivilDay due(2028, 2, 29);
  EXPECT_EQ(SettlementStateOn(due, std::nullopt, absl::CivilDay(2028, 2, 28)),
            v1::SETTLEMENT_STATE_ASSIGNED);
  EXPECT_EQ(SettlementStateOn(due, std::nullopt, due), v1::SETTLEMENT_STATE_ASSIGNED);
  EXPECT_EQ(SettlementStateOn(due, std::nullopt, absl::CivilDay(2028, 3, 1)),
            v1::SETTLEMENT_STATE_OVERDUE);
  EXPECT_EQ(SettlementStateOn(due, absl::CivilDay(2028, 3, 5), absl::CivilDay(2028, 3, 9)),
            v1::SETTLEMENT_STATE_RECEIVED);
}

TEST(CheckSettlementAssignmentTest, ChecksEveryFieldAndSetsTheDueDate) {
  v1::SettlementAssignment a;
  a.set_household_reference("HH-2027-0001");
  a.set_persons(4);
  a.set_kommunkod("0380");
  *a.mutable_assignment_date() = dates::DateOf(absl::CivilDay(2027, 12, 31));
  absl::StatusOr<CheckedSettlementAssignment> checked =
      CheckSettlementAssignment(a, absl::CivilDay(2028, 1, 2), "a");
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_EQ(checked->lanskod, "03");
  EXPECT_EQ(checked->due_date, absl::CivilDay(2028, 2, 29));

  a.set_household_reference("x y");
  a.set_persons(0);
  a.set_kommunkod("9999");
  absl::Status st = CheckSettlementAssignment(a, absl::CivilDay(2027, 12, 30), "a").status();
  EXPECT_EQ(ReasonOf(st), kReasonAssignmentInvalid);
  EXPECT_THAT(Violations(st), UnorderedElementsAre("a.household_reference", "a.persons",
                                                   "a.kommunkod", "a.assignment_date"));
}

TEST(CheckReceptionDateTest, NotBeforeTheAssignmentNorInTheFuture) {
  const absl::CivilDay assigned(2027, 3, 1);
  const absl::CivilDay today(2027, 3, 10);
  dates::type::Date d = dates::DateOf(absl::CivilDay(2027, 3, 5));
  EXPECT_EQ(*CheckReceptionDate(&d, assigned, today), absl::CivilDay(2027, 3, 5));
  EXPECT_EQ(ReasonOf(CheckReceptionDate(nullptr, assigned, today).status()),
            kReasonReceptionInvalid);
  d = dates::DateOf(absl::CivilDay(2027, 2, 28));
  EXPECT_FALSE(CheckReceptionDate(&d, assigned, today).ok());
  d = dates::DateOf(absl::CivilDay(2027, 3, 11));
  EXPECT_FALSE(CheckReceptionDate(&d, assigned, today).ok());
}

TEST(SettlementFollowUpTest, RowsPerKommunTotalsAndCsv) {
  const std::map<std::string, int> numbers = {{"0380", 60}, {"0305", 40}};
  const std::map<std::string, SettlementCounts> counts = {
      {"0380", {.assigned = 70, .received = 50, .overdue = 5}},
      {"0360", {.assigned = 3, .received = 0, .overdue = 3}}};
  v1::SettlementFollowUp f = BuildSettlementFollowUp(
      "03", 2027, "counties/03/settlementQuotas/2027", 100, numbers, counts, "");
  ASSERT_EQ(f.kommuner_size(), 3);
  EXPECT_EQ(f.kommuner(0).kommunkod(), "0305");
  EXPECT_EQ(f.kommuner(0).kommun_name(), "Håbo");
  EXPECT_EQ(f.kommuner(0).figures().remaining(), 40);
  EXPECT_EQ(f.kommuner(2).figures().remaining(), 0);  // more assigned than the number
  EXPECT_EQ(f.totals().kommun_number(), 100);
  EXPECT_EQ(f.totals().assigned(), 73);
  EXPECT_EQ(f.totals().overdue(), 8);
  EXPECT_EQ(SettlementFollowUpCsv(f),
            "kommunkod,kommun_number,assigned,received,overdue,remaining\r\n"
            "0305,40,0,0,0,40\r\n"
            "0360,0,3,0,3,0\r\n"
            "0380,60,70,50,5,0\r\n"
            "lan 03,100,73,50,8,40\r\n");

  v1::SettlementFollowUp own =
      BuildSettlementFollowUp("03", 2027, "", 100, numbers, counts, "0380");
  ASSERT_EQ(own.kommuner_size(), 1);
  EXPECT_EQ(own.totals().assigned(), 70);
}

}  // namespace
}  // namespace integration::placement
