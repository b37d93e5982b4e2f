// Matching of waiting children to free places (see matching.h).
#include "rules/matching.h"

#include <lemon/list_graph.h>
#include <lemon/network_simplex.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

namespace integration::placement {
namespace {

bool SharesLanguage(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const std::string& x : a) {
    if (std::find(b.begin(), b.end(), x) != b.end()) return true;
  }
  return false;
}

// Orders results by child id and totals them.
MatchResult Finish(std::vector<Match> matches, std::vector<int64_t> unplaced) {
  MatchResult out;
  std::sort(matches.begin(), matches.end(),
            [](const Match& a, const Match& b) { return a.child_id < b.child_id; });
  std::sort(unplaced.begin(), unplaced.end());
  for (const Match& m : matches) out.objective += m.cost;
  out.objective += kCostUnplaced * static_cast<int64_t>(unplaced.size());
  out.matches = std::move(matches);
  out.unplaced = std::move(unplaced);
  return out;
}

// Places the sibling groups with more than one child among `children`, each whole into the unit
// with room for all that costs least in total (ties: the lower unit id), taking those places
// from `free`. Returns the children left for one-by-one matching; fills `matches` and
// `unplaced` with the groups' children.
std::vector<const MatchChild*> PlaceGroups(const std::vector<MatchChild>& children,
                                           const std::vector<MatchUnit>& units,
                                           std::vector<int>& free, std::vector<Match>& matches,
                                           std::vector<int64_t>& unplaced) {
  std::map<std::string, std::vector<const MatchChild*>> groups;
  for (const MatchChild& c : children) {
    if (!c.sibling_group.empty()) groups[c.sibling_group].push_back(&c);
  }
  std::vector<const MatchChild*> singles;
  for (const MatchChild& c : children) {
    if (c.sibling_group.empty() || groups[c.sibling_group].size() == 1) singles.push_back(&c);
  }
  for (auto& [name, members] : groups) {
    if (members.size() < 2) continue;
    int best = -1;
    int64_t best_cost = 0;
    for (size_t u = 0; u < units.size(); ++u) {
      if (free[u] < static_cast<int>(members.size())) continue;
      int64_t cost = 0;
      bool fits = true;
      for (const MatchChild* c : members) {
        fits = fits && Fits(*c, units[u]);
        if (fits) cost += MatchCost(*c, units[u]);
      }
      if (fits && (best < 0 || cost < best_cost)) {
        best = static_cast<int>(u);
        best_cost = cost;
      }
    }
    for (const MatchChild* c : members) {
      if (best < 0) {
        unplaced.push_back(c->id);
      } else {
        matches.push_back({c->id, units[best].id, MatchCost(*c, units[best])});
      }
    }
    if (best >= 0) free[best] -= static_cast<int>(members.size());
  }
  std::sort(singles.begin(), singles.end(),
            [](const MatchChild* a, const MatchChild* b) { return a->id < b->id; });
  return singles;
}

// The state both matchers start from: units by id with their free places, and the sibling
// groups placed (PlaceGroups); `singles` are the children left.
struct Start {
  std::vector<MatchUnit> units;
  std::vector<int> free;
  std::vector<Match> matches;
  std::vector<int64_t> unplaced;
  std::vector<const MatchChild*> singles;
};

Start Begin(const std::vector<MatchChild>& children, std::vector<MatchUnit> units) {
  Start out;
  std::sort(units.begin(), units.end(),
            [](const MatchUnit& a, const MatchUnit& b) { return a.id < b.id; });
  out.units = std::move(units);
  for (const MatchUnit& u : out.units) out.free.push_back(u.free);
  out.singles = PlaceGroups(children, out.units, out.free, out.matches, out.unplaced);
  return out;
}

// The facts that decide a child's fit and costs: age, sex, assigned kommun, the strong-link
// kommun's county ("" without a link) and languages (sorted, distinct).
using ChildClassKey = std::tuple<int, int, std::string, std::string, std::vector<std::string>>;

// The county of a kommunkod (its first two digits); "" for "".
std::string CountyOf(const std::string& kommunkod) { return kommunkod.substr(0, 2); }

}  // namespace

bool Fits(const MatchChild& child, const MatchUnit& unit) {
  if (child.age < unit.min_age || child.age > unit.max_age) return false;
  return unit.sexes.empty() ||
         std::find(unit.sexes.begin(), unit.sexes.end(), child.sex) != unit.sexes.end();
}

int64_t MatchCost(const MatchChild& child, const MatchUnit& unit) {
  int64_t cost = 0;
  if (unit.kommunkod != child.assigned_kommunkod) cost += kCostOtherKommun;
  if (!SharesLanguage(child.languages, unit.languages)) cost += kCostNoLanguage;
  if (!child.link_kommunkod.empty() &&
      unit.kommunkod.substr(0, 2) != child.link_kommunkod.substr(0, 2)) {
    cost += kCostOutsideLinkCounty;
  }
  return cost;
}

MatchResult MatchGreedy(const std::vector<MatchChild>& children,
                        const std::vector<MatchUnit>& given_units) {
  Start start = Begin(children, given_units);
  const std::vector<MatchUnit>& units = start.units;
  std::vector<int>& free = start.free;
  std::vector<Match>& matches = start.matches;
  std::vector<int64_t>& unplaced = start.unplaced;
  for (const MatchChild* c : start.singles) {
    int best = -1;
    int64_t best_cost = 0;
    for (size_t u = 0; u < units.size(); ++u) {
      if (free[u] <= 0 || !Fits(*c, units[u])) continue;
      const int64_t cost = MatchCost(*c, units[u]);
      if (best < 0 || cost < best_cost) {
        best = static_cast<int>(u);
        best_cost = cost;
      }
    }
    if (best < 0) {
      unplaced.push_back(c->id);
    } else {
      --free[best];
      matches.push_back({c->id, units[best].id, best_cost});
    }
  }
  return Finish(std::move(matches), std::move(unplaced));
}

MatchResult MatchOptimal(const std::vector<MatchChild>& children,
                         const std::vector<MatchUnit>& given_units) {
  Start start = Begin(children, given_units);
  const std::vector<MatchUnit>& units = start.units;
  std::vector<int>& free = start.free;
  std::vector<Match>& matches = start.matches;
  std::vector<int64_t>& unplaced = start.unplaced;
  const std::vector<const MatchChild*>& singles = start.singles;

  // Children with the same facts, each class with its members in id order.
  std::map<ChildClassKey, std::vector<const MatchChild*>> child_classes;
  for (const MatchChild* c : singles) {
    std::vector<std::string> languages = c->languages;
    std::sort(languages.begin(), languages.end());
    languages.erase(std::unique(languages.begin(), languages.end()), languages.end());
    child_classes[{c->age, static_cast<int>(c->sex), c->assigned_kommunkod,
                   CountyOf(c->link_kommunkod), languages}]
        .push_back(c);
  }

  using Graph = lemon::ListDigraph;
  Graph g;
  Graph::ArcMap<int64_t> capacity(g), cost(g);
  Graph::NodeMap<int64_t> supply(g);
  const Graph::Node source = g.addNode();
  const Graph::Node sink = g.addNode();
  const int64_t total = static_cast<int64_t>(singles.size());
  supply[source] = total;
  supply[sink] = -total;
  auto add_arc = [&](Graph::Node from, Graph::Node to, int64_t cap, int64_t c) {
    const Graph::Arc arc = g.addArc(from, to);
    capacity[arc] = cap;
    cost[arc] = c;
    return arc;
  };
  // Middle arcs carry as much as the children and places allow.
  const int64_t unbounded = total;

  // Units, and the kommuner that have any.
  std::vector<Graph::Node> unit_node(units.size(), lemon::INVALID);
  std::map<std::string, std::vector<size_t>> units_by_kommun;
  for (size_t u = 0; u < units.size(); ++u) {
    if (free[u] <= 0) continue;
    unit_node[u] = g.addNode();
    add_arc(unit_node[u], sink, free[u], 0);
    units_by_kommun[units[u].kommunkod].push_back(u);
  }

  // "Offer" nodes (age, sex, kommun, language; "" = any unit, at kCostNoLanguage): arcs to the
  // units of the kommun that fit that age and sex and speak that language.
  using OfferKey = std::tuple<int, int, std::string, std::string>;
  std::map<OfferKey, Graph::Node> offers;
  auto offer = [&](int age, int sex, const std::string& kommun,
                   const std::string& language) -> Graph::Node {
    const OfferKey key{age, sex, kommun, language};
    auto it = offers.find(key);
    if (it != offers.end()) return it->second;
    const Graph::Node node = g.addNode();
    MatchChild probe;
    probe.age = age;
    probe.sex = static_cast<v1::Sex>(sex);
    for (size_t u : units_by_kommun[kommun]) {
      if (!Fits(probe, units[u])) continue;
      if (!language.empty() && std::find(units[u].languages.begin(), units[u].languages.end(),
                                         language) == units[u].languages.end()) {
        continue;
      }
      add_arc(node, unit_node[u], unbounded, 0);
    }
    offers.emplace(key, node);
    return node;
  };
  auto link_cost = [](const std::string& link_county, const std::string& kommun) -> int64_t {
    return !link_county.empty() && CountyOf(kommun) != link_county ? kCostOutsideLinkCounty : 0;
  };

  // "Want" nodes (age, sex, assigned kommun, link county, language): the assigned kommun's offer
  // directly, every other kommun's through one "elsewhere" node per (age, sex, link county,
  // language) at kCostOtherKommun. A path to the assigned kommun through "elsewhere" costs more
  // than the direct arc, so an optimal flow never takes it: path costs equal MatchCost.
  using WantKey = std::tuple<int, int, std::string, std::string, std::string>;
  std::map<WantKey, Graph::Node> wants;
  using ElsewhereKey = std::tuple<int, int, std::string, std::string>;
  std::map<ElsewhereKey, Graph::Node> elsewheres;
  auto elsewhere = [&](int age, int sex, const std::string& link_county,
                       const std::string& language) -> Graph::Node {
    const ElsewhereKey key{age, sex, link_county, language};
    auto it = elsewheres.find(key);
    if (it != elsewheres.end()) return it->second;
    const Graph::Node node = g.addNode();
    for (const auto& [kommun, members] : units_by_kommun) {
      add_arc(node, offer(age, sex, kommun, language), unbounded, link_cost(link_county, kommun));
    }
    elsewheres.emplace(key, node);
    return node;
  };
  auto want = [&](int age, int sex, const std::string& assigned, const std::string& link_county,
                  const std::string& language) -> Graph::Node {
    const WantKey key{age, sex, assigned, link_county, language};
    auto it = wants.find(key);
    if (it != wants.end()) return it->second;
    const Graph::Node node = g.addNode();
    if (units_by_kommun.count(assigned) > 0) {
      add_arc(node, offer(age, sex, assigned, language), unbounded,
              link_cost(link_county, assigned));
    }
    add_arc(node, elsewhere(age, sex, link_county, language), unbounded, kCostOtherKommun);
    wants.emplace(key, node);
    return node;
  };

  // Child classes: from the source, to the sink at the unplaced cost, and to a want per language
  // of theirs (and one for any unit at kCostNoLanguage).
  std::vector<std::pair<Graph::Node, const std::vector<const MatchChild*>*>> class_nodes;
  for (const auto& [key, members] : child_classes) {
    const auto& [age, sex, assigned, link_county, languages] = key;
    const Graph::Node node = g.addNode();
    const int64_t count = static_cast<int64_t>(members.size());
    add_arc(source, node, count, 0);
    add_arc(node, sink, count, kCostUnplaced);
    for (const std::string& language : languages) {
      add_arc(node, want(age, sex, assigned, link_county, language), count, 0);
    }
    add_arc(node, want(age, sex, assigned, link_county, ""), count, kCostNoLanguage);
    class_nodes.push_back({node, &members});
  }

  lemon::NetworkSimplex<Graph, int64_t, int64_t> solver(g);
  solver.upperMap(capacity).costMap(cost).supplyMap(supply);
  // Always feasible: every child class can reach the sink directly.
  solver.run();

  // Hand the flow out child by child: follow arcs with flow left from the child's class until
  // a unit (placed there) or the sink (unplaced). The network has no cycles, so every walk ends.
  // The unit index of each unit node (maps are made now: LEMON gives nodes added after a map's
  // construction the value type's default, not the map's).
  Graph::NodeMap<int> unit_of(g, -1);
  for (size_t u = 0; u < units.size(); ++u) {
    if (unit_node[u] != lemon::INVALID) unit_of[unit_node[u]] = static_cast<int>(u);
  }
  Graph::ArcMap<int64_t> left(g);
  for (Graph::ArcIt a(g); a != lemon::INVALID; ++a) left[a] = solver.flow(a);
  for (const auto& [class_node, members] : class_nodes) {
    for (const MatchChild* child : *members) {
      Graph::Node at = class_node;
      int unit = -1;
      while (at != sink && unit < 0) {
        Graph::OutArcIt a(g, at);
        while (a != lemon::INVALID && left[a] == 0) ++a;
        if (a == lemon::INVALID) break;  // conservation makes this unreachable
        --left[a];
        at = g.target(a);
        unit = unit_of[at];
      }
      if (unit < 0) {
        unplaced.push_back(child->id);
      } else {
        --free[unit];
        matches.push_back({child->id, units[unit].id, MatchCost(*child, units[unit])});
      }
    }
  }
  return Finish(std::move(matches), std::move(unplaced));
}

}  // namespace integration::placement
