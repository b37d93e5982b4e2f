// Matching: proposals that place a county's waiting children in units with free places. Hard
// constraints (age and sex fit, a free place, siblings together) are never broken; among the
// placements they allow, the proposal minimises the total cost below, so it first places as
// many children as possible (an unplaced child costs more than any placement), then prefers
// the assigned kommun, a shared language, and the strong-link kommun's county. Pure, no I/O.
//
// Formulation: a min-cost flow solved with LEMON's NetworkSimplex. Children with the same
// facts (age, sex, assigned and link kommun, languages) cost the same everywhere, and so do
// units with the same facts (kommun, ages, sexes, languages), so the flow runs over these
// classes (source → child class → unit class → sink, and child class → sink at the unplaced
// cost) and its result is handed out to children and units in id order. This keeps the graph
// small (a county's thousands of children fall into far fewer classes) and the result optimal.
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
