// Matching: the min-cost flow proposal against brute force on small random cases, against the
// greedy baseline, and the hard constraints (fit, free places, sibling groups whole).
#include "rules/matching.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace integration::placement {
namespace {

MatchChild Child(int64_t id, int age, v1::Sex sex, std::string kommun,
                 std::vector<std::string> languages = {}, std::string group = "") {
  MatchChild c;
  c.id = id;
  c.age = age;
  c.sex = sex;
  c.assigned_kommunkod = std::move(kommun);
  c.languages = std::move(languages);
  c.sibling_group = std::move(group);
  return c;
}

MatchUnit Unit(int64_t id, std::string kommun, int free, int min_age = 0, int max_age = 20,
               std::vector<v1::Sex> sexes = {}, std::vector<std::string> languages = {}) {
  MatchUnit u;
  u.id = id;
  u.kommunkod = std::move(kommun);
  u.free = free;
  u.min_age = min_age;
  u.max_age = max_age;
  u.sexes = std::move(sexes);
  u.languages = std::move(languages);
  return u;
}

// Every match fits, no unit takes more than its free places, every child is matched or
// unplaced exactly once, and the objective is the sum.
void ExpectValid(const std::vector<MatchChild>& children, const std::vector<MatchUnit>& units,
                 const MatchResult& r) {
  std::map<int64_t, int> used;
  std::map<int64_t, int> seen;
  int64_t objective = 0;
  for (const Match& m : r.matches) {
    const MatchChild& c = *std::find_if(children.begin(), children.end(),
                                        [&](const MatchChild& x) { return x.id == m.child_id; });
    const MatchUnit& u = *std::find_if(units.begin(), units.end(),
                                       [&](const MatchUnit& x) { return x.id == m.unit_id; });
    EXPECT_TRUE(Fits(c, u));
    EXPECT_EQ(m.cost, MatchCost(c, u));
    EXPECT_LE(++used[u.id], u.free);
    ++seen[c.id];
    objective += m.cost;
  }
  for (int64_t id : r.unplaced) ++seen[id];
  for (const MatchChild& c : children) EXPECT_EQ(seen[c.id], 1) << "child " << c.id;
  EXPECT_EQ(r.objective, objective + kCostUnplaced * static_cast<int64_t>(r.unplaced.size()));
}

// The least objective over every way to place each child in a unit or nowhere.
int64_t BruteForce(const std::vector<MatchChild>& children, const std::vector<MatchUnit>& units) {
  std::vector<int> free;
  for (const MatchUnit& u : units) free.push_back(u.free);
  int64_t best = -1;
  std::function<void(size_t, int64_t)> go = [&](size_t i, int64_t cost) {
    if (i == children.size()) {
      if (best < 0 || cost < best) best = cost;
      return;
    }
    go(i + 1, cost + kCostUnplaced);
    for (size_t u = 0; u < units.size(); ++u) {
      if (free[u] == 0 || !Fits(children[i], units[u])) continue;
      --free[u];
      go(i + 1, cost + MatchCost(children[i], units[u]));
      ++free[u];
    }
  };
  go(0, 0);
  return best;
}

TEST(MatchingTest, EqualsBruteForceOnSmallRandomCases) {
  std::mt19937 random(20270101);
  const std::vector<std::string> kommuner = {"0380", "0305", "0360"};
  const std::vector<std::string> languages = {"ar", "prs", "so", "ti"};
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(random); };
  int greedy_worse = 0;
  for (int round = 0; round < 400; ++round) {
    std::vector<MatchChild> children;
    const int n = 1 + pick(7);
    for (int i = 0; i < n; ++i) {
      MatchChild c = Child(i + 1, 13 + pick(5), pick(2) ? v1::SEX_FEMALE : v1::SEX_MALE,
                           kommuner[pick(3)], {languages[pick(4)]});
      if (pick(3) == 0) c.link_kommunkod = pick(2) ? "0180" : kommuner[pick(3)];
      children.push_back(c);
    }
    std::vector<MatchUnit> units;
    const int m = 1 + pick(3);
    for (int j = 0; j < m; ++j) {
      const int min_age = 13 + pick(3);
      std::vector<v1::Sex> sexes;
      if (pick(3) == 0) sexes.push_back(pick(2) ? v1::SEX_FEMALE : v1::SEX_MALE);
      units.push_back(Unit(100 + j, kommuner[pick(3)], pick(3), min_age, min_age + pick(4), sexes,
                           {languages[pick(4)], languages[pick(4)]}));
    }
    const MatchResult optimal = MatchOptimal(children, units);
    const MatchResult greedy = MatchGreedy(children, units);
    ExpectValid(children, units, optimal);
    ExpectValid(children, units, greedy);
    ASSERT_EQ(optimal.objective, BruteForce(children, units)) << "round " << round;
    EXPECT_LE(optimal.objective, greedy.objective);
    if (greedy.objective > optimal.objective) ++greedy_worse;
  }
  // The cases are varied enough to catch the greedy baseline out now and then.
  EXPECT_GT(greedy_worse, 0);
}

TEST(MatchingTest, GreedyTakesThePlaceAnotherChildNeeded) {
  // Child 1 fits both units and prefers A; child 2 fits only A.
  const std::vector<MatchChild> children = {Child(1, 15, v1::SEX_MALE, "0380"),
                                            Child(2, 13, v1::SEX_MALE, "0380")};
  const std::vector<MatchUnit> units = {Unit(10, "0380", 1, 13, 17), Unit(11, "0305", 1, 15, 17)};
  const MatchResult greedy = MatchGreedy(children, units);
  EXPECT_EQ(greedy.unplaced, std::vector<int64_t>{2});
  const MatchResult optimal = MatchOptimal(children, units);
  EXPECT_TRUE(optimal.unplaced.empty());
  ASSERT_EQ(optimal.matches.size(), 2u);
  EXPECT_EQ(optimal.matches[0].unit_id, 11);
  EXPECT_EQ(optimal.matches[1].unit_id, 10);
  EXPECT_EQ(optimal.objective, kCostOtherKommun + 2 * kCostNoLanguage);
  EXPECT_LT(optimal.objective, greedy.objective);
}

TEST(MatchingTest, PrefersTheAssignedKommunThenALanguage) {
  const std::vector<MatchChild> children = {Child(1, 15, v1::SEX_FEMALE, "0380", {"so"})};
  const std::vector<MatchUnit> units = {Unit(10, "0305", 1, 0, 20, {}, {"so"}),
                                        Unit(11, "0380", 1, 0, 20, {}, {"ar"}),
                                        Unit(12, "0380", 1, 0, 20, {}, {"so", "ar"})};
  const MatchResult r = MatchOptimal(children, units);
  ASSERT_EQ(r.matches.size(), 1u);
  EXPECT_EQ(r.matches[0].unit_id, 12);
  EXPECT_EQ(r.matches[0].cost, 0);
}

TEST(MatchingTest, SiblingGroupsStayWholeOrWait) {
  std::vector<MatchChild> children = {Child(1, 15, v1::SEX_MALE, "0380", {}, "SG"),
                                      Child(2, 14, v1::SEX_FEMALE, "0380", {}, "SG"),
                                      Child(3, 16, v1::SEX_MALE, "0380")};
  // Unit 10 has room for one only; unit 11 for both siblings.
  std::vector<MatchUnit> units = {Unit(10, "0380", 1), Unit(11, "0305", 2)};
  MatchResult r = MatchOptimal(children, units);
  ExpectValid(children, units, r);
  ASSERT_EQ(r.matches.size(), 3u);
  EXPECT_EQ(r.matches[0].unit_id, 11);
  EXPECT_EQ(r.matches[1].unit_id, 11);
  EXPECT_EQ(r.matches[2].unit_id, 10);
  // No unit fits both: the group waits rather than being split.
  units = {Unit(10, "0380", 1), Unit(11, "0305", 1)};
  r = MatchOptimal(children, units);
  ExpectValid(children, units, r);
  EXPECT_EQ(r.unplaced, (std::vector<int64_t>{1, 2}));
}

TEST(MatchingTest, ManyChildrenInFewClasses) {
  std::vector<MatchChild> children;
  for (int i = 0; i < 2000; ++i) {
    children.push_back(Child(i + 1, 13 + i % 5, i % 2 ? v1::SEX_FEMALE : v1::SEX_MALE,
                             i % 3 ? "0380" : "0305", {i % 4 ? "ar" : "so"}));
  }
  std::vector<MatchUnit> units;
  for (int j = 0; j < 700; ++j) {  // 2100 places for 2000 children
    units.push_back(Unit(j + 1, j % 2 ? "0380" : "0305", 3, 13, 17, {}, {j % 5 ? "ar" : "so"}));
  }
  const MatchResult optimal = MatchOptimal(children, units);
  ExpectValid(children, units, optimal);
  EXPECT_TRUE(optimal.unplaced.empty());
  EXPECT_LE(optimal.objective, MatchGreedy(children, units).objective);
}

}  // namespace
}  // namespace integration::placement
