// bench-matching: the placement service's matching (min-cost flow) on a generated county of
// waiting children and units with free places, timed against the greedy baseline in the same
// run; prints one JSON object (sizes, milliseconds of each, objectives and their ratio).
//   bench-matching [--children N] [--units M] [--seed S] [--repeat R]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "rules/matching.h"

namespace integration::placement {
namespace {

struct Args {
  int children = 10000;
  int units = 2000;
  uint32_t seed = 20261207;
  int repeat = 3;
};

bool ParseArgs(int argc, char** argv, Args* args) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const long value = std::strtol(argv[i + 1], nullptr, 10);
    if (value <= 0) return false;
    if (flag == "--children") {
      args->children = static_cast<int>(value);
    } else if (flag == "--units") {
      args->units = static_cast<int>(value);
    } else if (flag == "--seed") {
      args->seed = static_cast<uint32_t>(value);
    } else if (flag == "--repeat") {
      args->repeat = static_cast<int>(value);
    } else {
      return false;
    }
  }
  return argc % 2 == 1;
}

// A county of 26 kommuner: children mostly 13-17, a few sibling pairs, one or two languages
// each; units of the four kinds with 1-8 free places (fewer places than children, so some
// wait), any sex or one, one to three languages.
struct Instance {
  std::vector<MatchChild> children;
  std::vector<MatchUnit> units;
};

Instance Generate(const Args& args) {
  std::mt19937 rng(args.seed);
  auto pick = [&rng](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  auto chance = [&rng](double p) { return std::bernoulli_distribution(p)(rng); };
  std::vector<std::string> kommuner;
  for (int k = 0; k < 26; ++k) kommuner.push_back("01" + std::to_string(14 + k * 3));
  const std::vector<std::string> languages = {"ar", "prs", "so", "ti", "fa", "ps", "uk", "en"};
  auto some_languages = [&](int most) {
    std::vector<std::string> out;
    const int n = 1 + pick(most);
    for (int i = 0; i < n; ++i) {
      const std::string& l = languages[pick(static_cast<int>(languages.size()))];
      if (std::find(out.begin(), out.end(), l) == out.end()) out.push_back(l);
    }
    return out;
  };

  Instance instance;
  for (int i = 1; i <= args.children; ++i) {
    MatchChild c;
    c.id = i;
    c.age = chance(0.8) ? 13 + pick(5) : 6 + pick(7);
    c.sex = chance(0.75) ? v1::SEX_MALE : v1::SEX_FEMALE;
    c.assigned_kommunkod = kommuner[pick(26)];
    if (chance(0.2)) c.link_kommunkod = kommuner[pick(26)];
    c.languages = some_languages(2);
    instance.children.push_back(std::move(c));
  }
  // 5 % of the children in sibling pairs (same assigned kommun).
  for (int i = 0; i + 1 < args.children; i += 40) {
    MatchChild& a = instance.children[i];
    MatchChild& b = instance.children[i + 1];
    a.sibling_group = b.sibling_group = "g" + std::to_string(i);
    b.assigned_kommunkod = a.assigned_kommunkod;
  }
  for (int u = 1; u <= args.units; ++u) {
    MatchUnit unit;
    unit.id = u;
    unit.kommunkod = kommuner[pick(26)];
    switch (pick(4)) {
      case 0: unit.min_age = 13; unit.max_age = 17; break;  // HVB
      case 1: unit.min_age = 0; unit.max_age = 17; break;   // familjehem
      case 2: unit.min_age = 0; unit.max_age = 17; break;   // jourhem
      default: unit.min_age = 16; unit.max_age = 17; break; // stödboende
    }
    if (chance(0.3)) unit.sexes = {chance(0.5) ? v1::SEX_MALE : v1::SEX_FEMALE};
    unit.languages = some_languages(3);
    unit.free = 1 + pick(8);
    instance.units.push_back(std::move(unit));
  }
  return instance;
}

// The fastest of `repeat` runs, in milliseconds, and the last result.
template <class Fn>
double Fastest(int repeat, Fn fn, MatchResult* result) {
  double best = 0;
  for (int r = 0; r < repeat; ++r) {
    const auto start = std::chrono::steady_clock::now();
    *result = fn();
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (r == 0 || ms < best) best = ms;
  }
  return best;
}

}  // namespace
}  // namespace integration::placement

int main(int argc, char** argv) {
  using namespace integration::placement;
  Args args;
  if (!ParseArgs(argc, argv, &args)) {
    std::fprintf(stderr,
                 "usage: bench-matching [--children N] [--units M] [--seed S] [--repeat R]\n");
    return 2;
  }
  const Instance instance = Generate(args);
  int places = 0;
  for (const MatchUnit& u : instance.units) places += u.free;
  MatchResult optimal;
  MatchResult greedy;
  const double optimal_ms = Fastest(
      args.repeat, [&] { return MatchOptimal(instance.children, instance.units); }, &optimal);
  const double greedy_ms = Fastest(
      args.repeat, [&] { return MatchGreedy(instance.children, instance.units); }, &greedy);
  std::printf(
      "{\"children\": %d, \"units\": %d, \"free_places\": %d, \"seed\": %u, \"repeat\": %d, "
      "\"optimal_ms\": %.1f, \"greedy_ms\": %.1f, \"optimal_objective\": %lld, "
      "\"greedy_objective\": %lld, \"optimal_placed\": %zu, \"greedy_placed\": %zu, "
      "\"greedy_objective_over_optimal\": %.4f, \"optimal_time_over_greedy\": %.2f}\n",
      args.children, args.units, places, args.seed, args.repeat, optimal_ms, greedy_ms,
      static_cast<long long>(optimal.objective), static_cast<long long>(greedy.objective),
      optimal.matches.size(), greedy.matches.size(),
      optimal.objective == 0 ? 1.0
                             : static_cast<double>(greedy.objective) /
                                   static_cast<double>(optimal.objective),
      greedy_ms == 0 ? 0.0 : optimal_ms / greedy_ms);
  return 0;
}
