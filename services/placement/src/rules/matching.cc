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

// The facts that decide a child's costs and fit, and a unit's.
using ChildClassKey = std::tuple<int, int, std::string, std::string, std::vector<std::string>>;
using UnitClassKey =
    std::tuple<std::string, int, int, std::vector<v1::Sex>, std::vector<std::string>>;

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

  // Classes, each with its members in id order.
  std::map<ChildClassKey, std::vector<const MatchChild*>> child_classes;
  for (const MatchChild* c : singles) {
    std::vector<std::string> languages = c->languages;
    std::sort(languages.begin(), languages.end());
    child_classes[{c->age, static_cast<int>(c->sex), c->assigned_kommunkod, c->link_kommunkod,
                   languages}]
        .push_back(c);
  }
  std::map<UnitClassKey, std::vector<size_t>> unit_classes;
  for (size_t u = 0; u < units.size(); ++u) {
    if (free[u] <= 0) continue;
    std::vector<v1::Sex> sexes = units[u].sexes;
    std::sort(sexes.begin(), sexes.end());
    std::vector<std::string> languages = units[u].languages;
    std::sort(languages.begin(), languages.end());
    unit_classes[{units[u].kommunkod, units[u].min_age, units[u].max_age, sexes, languages}]
        .push_back(u);
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
  std::vector<std::pair<Graph::Node, const std::vector<size_t>*>> unit_nodes;
  for (const auto& [key, members] : unit_classes) {
    int64_t places = 0;
    for (size_t u : members) places += free[u];
    const Graph::Node node = g.addNode();
    add_arc(node, sink, places, 0);
    unit_nodes.push_back({node, &members});
  }
  struct Edge {
    const std::vector<const MatchChild*>* children;
    const std::vector<size_t>* units;
    Graph::Arc arc;
  };
  std::vector<Edge> edges;
  for (const auto& [key, members] : child_classes) {
    const Graph::Node node = g.addNode();
    const int64_t count = static_cast<int64_t>(members.size());
    add_arc(source, node, count, 0);
    add_arc(node, sink, count, kCostUnplaced);
    const MatchChild& sample = *members.front();
    for (const auto& [unit_node, unit_members] : unit_nodes) {
      const MatchUnit& unit = units[unit_members->front()];
      if (!Fits(sample, unit)) continue;
      edges.push_back(
          {&members, unit_members, add_arc(node, unit_node, count, MatchCost(sample, unit))});
    }
  }

  lemon::NetworkSimplex<Graph, int64_t, int64_t> solver(g);
  solver.upperMap(capacity).costMap(cost).supplyMap(supply);
  // Always feasible: every child class can reach the sink directly.
  solver.run();

  // Hand each class-to-class flow out to children and units in id order.
  std::map<const std::vector<const MatchChild*>*, size_t> next_child;
  std::map<const std::vector<size_t>*, size_t> next_unit;
  for (const Edge& e : edges) {
    int64_t flow = solver.flow(e.arc);
    size_t& c = next_child[e.children];
    size_t& u = next_unit[e.units];
    while (flow > 0) {
      const size_t unit = (*e.units)[u];
      if (free[unit] == 0) {
        ++u;
        continue;
      }
      const MatchChild& child = *(*e.children)[c++];
      --free[unit];
      --flow;
      matches.push_back({child.id, units[unit].id, MatchCost(child, units[unit])});
    }
  }
  for (const auto& [key, members] : child_classes) {
    for (size_t c = next_child[&members]; c < members.size(); ++c) {
      unplaced.push_back(members[c]->id);
    }
  }
  return Finish(std::move(matches), std::move(unplaced));
}

}  // namespace integration::placement
