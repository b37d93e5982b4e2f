// Matching: proposals that place a county's waiting children in units with free places. Hard
// constraints (age and sex fit, a free place, siblings together) are never broken; among the
// placements they allow, the proposal minimises the total cost below, so it first places as
// many children as possible (an unplaced child costs more than any placement), then prefers
// the assigned kommun, a shared language, and the strong-link kommun's county. Pure, no I/O.
//
// Formulation: a min-cost flow solved with LEMON's NetworkSimplex, over a layered network whose
// path costs are exactly MatchCost, so that it needs no arc per child and unit pair:
//   source -> child class (children with the same age, sex, assigned kommun, link county and
//   languages) -> want (age, sex, assigned kommun, link county, one of the child's languages, or
//   "any" at kCostNoLanguage) -> offer of a kommun (age, sex, kommun, language) -> unit -> sink,
// where a want reaches its assigned kommun's offer directly and every other kommun's through one
// "elsewhere" node at kCostOtherKommun (plus kCostOutsideLinkCounty where it applies), and a
// child class also goes straight to the sink at kCostUnplaced. An offer has arcs only to the
// units of its kommun that fit the age and sex and speak the language, and a unit passes at
// most its free places. The flow is then walked child by child (in id order within a class) to
// the unit it reaches. For 10 000 children and 2 000 units the network has some 200 000 arcs
// instead of the millions of child-class x unit pairs.
// Sibling groups with more than one waiting child go first, each whole to the cheapest unit
// with room for all (a group cannot be split, which a flow would do); the flow is optimal for
// the remaining children and places.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lansstyrelsen/integration/placement/v1/resources.pb.h"

namespace integration::placement {

namespace v1 = ::lansstyrelsen::integration::placement::v1;

// Costs of a proposal (smaller is better).
inline constexpr int64_t kCostUnplaced = 1000;
inline constexpr int64_t kCostOtherKommun = 100;      // not the kommun the child is assigned to
inline constexpr int64_t kCostNoLanguage = 10;        // no language in common
inline constexpr int64_t kCostOutsideLinkCounty = 1;  // not in the strong-link kommun's county

// A waiting child: assigned, without an open placement.
struct MatchChild {
  int64_t id = 0;
  int age = 0;
  v1::Sex sex = v1::SEX_UNSPECIFIED;
  std::string assigned_kommunkod;
  std::string link_kommunkod;  // "" without a strong link
  std::vector<std::string> languages;
  std::string sibling_group;  // "" for a child alone
};

// A unit with free places.
struct MatchUnit {
  int64_t id = 0;
  std::string kommunkod;
  int min_age = 0;
  int max_age = 0;
  std::vector<v1::Sex> sexes;  // empty: any
  std::vector<std::string> languages;
  int free = 0;
};

struct Match {
  int64_t child_id = 0;
  int64_t unit_id = 0;
  int64_t cost = 0;
};

struct MatchResult {
  std::vector<Match> matches;     // by child id
  std::vector<int64_t> unplaced;  // child ids, ascending
  int64_t objective = 0;          // sum of the matches' costs + kCostUnplaced per unplaced
};

// Whether `child` may be placed in `unit` at all (age, sex; free places are the caller's).
bool Fits(const MatchChild& child, const MatchUnit& unit);
// The cost of placing `child` in `unit` (which it fits).
int64_t MatchCost(const MatchChild& child, const MatchUnit& unit);

// The optimal proposal described above.
MatchResult MatchOptimal(const std::vector<MatchChild>& children,
                         const std::vector<MatchUnit>& units);

// The greedy baseline: sibling groups as in MatchOptimal, then each child in id order takes the
// cheapest unit that still has a free place (ties: the lower unit id).
MatchResult MatchGreedy(const std::vector<MatchChild>& children,
                        const std::vector<MatchUnit>& units);

}  // namespace integration::placement
